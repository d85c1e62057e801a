// docker cp and docker export of a remapped container, as the same steps against skiffd and dockerd.
import assert from 'node:assert/strict';
import { chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok } from './cli.js';
import type { CommandResult } from './run-command.js';
import { runCommand } from './run-command.js';

export type Docker = (args: string[]) => Promise<CommandResult>;

/** `name owner` of the wanted entries of a tar file, owners numeric as the archive holds them. */
export async function tarOwners(file: string, names: readonly string[]): Promise<string[]> {
  const r = await runCommand('tar', ['--numeric-owner', '-tvf', file]);
  assert.equal(r.code, 0, `tar -tvf ${file}: ${r.stderr}`);
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = (f[5] ?? '').replace(/^\.\//, '').replace(/\/$/, '');
    if (names.includes(name)) out.push(`${name} ${f[1] ?? ''}`);
  }
  return out.sort();
}

/** Writes a container path to a tar file with `docker cp CID:path -` (stdout is binary). */
export async function cpOut(env: NodeJS.ProcessEnv, ref: string, file: string): Promise<void> {
  const r = await runCommand('sh', ['-c', `docker cp "$1" - > "$2"`, 'sh', ref, file], { env: { ...process.env, ...env } });
  assert.equal(r.code, 0, `docker cp ${ref} -: ${r.stderr}`);
}

/** A host file owned by 4242:4343 (neither root nor the invoking user), for `docker cp` in. */
export function hostFile(work: string): string {
  const hf = join(work, 'hf');
  writeFileSync(hf, 'from the host\n', { mode: 0o644 });
  chownSync(hf, 4242, 4343);
  return hf;
}

/**
 * The observations, as text, of cp in (plain and -a), cp out and export of a running and then a
 * stopped container, and a cp into the stopped one whose copy-up it must see as its own.
 * `rootUid`: the host uid of the container's root (the remap range's start).
 */
export async function remapCpScenario(docker: Docker, env: NodeJS.ProcessEnv, work: string, rootUid: number): Promise<string[]> {
  const seen: string[] = [];
  const hf = hostFile(work);
  const id = ok(await docker(['run', '-d', 'busybox', 'sleep', '300']), 'run').trim();
  ok(await docker(['exec', id, 'sh', '-c', 'mkdir /d && echo x > /d/f && chown 1000:50 /d/f']), 'exec');
  ok(await docker(['cp', hf, `${id}:/plain`]), 'cp in');
  ok(await docker(['cp', '-a', hf, `${id}:/kept`]), 'cp -a in');
  seen.push(`inside: ${ok(await docker(['exec', id, 'stat', '-c', '%n %u:%g', '/plain', '/kept']), 'stat').trim().replace(/\n/g, ', ')}`);
  const pid = ok(await docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect').trim();
  seen.push(`host: plain +${statSync(`/proc/${pid}/root/plain`).uid - rootUid} kept +${statSync(`/proc/${pid}/root/kept`).uid - rootUid}`);
  const wanted = ['bin/busybox', 'd', 'd/f', 'etc', 'plain', 'kept'];
  for (const state of ['running', 'stopped']) {
    if (state === 'stopped') ok(await docker(['stop', '-t', '1', id]), 'stop');
    await cpOut(env, `${id}:/d`, join(work, `cp-${state}.tar`));
    seen.push(`cp out ${state}: ${(await tarOwners(join(work, `cp-${state}.tar`), wanted)).join(', ')}`);
    ok(await docker(['export', '-o', join(work, `export-${state}.tar`), id]), 'export');
    seen.push(`export ${state}: ${(await tarOwners(join(work, `export-${state}.tar`), wanted)).join(', ')}`);
  }
  // Copied into /bin of the stopped container: /bin is copied up from a lower layer (/etc already
  // sits in the upper dir, holding the mount points of hostname, hosts and resolv.conf).
  ok(await docker(['cp', hf, `${id}:/bin/`]), 'cp into stopped');
  ok(await docker(['start', id]), 'start');
  seen.push(`after start: ${ok(await docker(['exec', id, 'stat', '-c', '%n %u:%g', '/bin', '/bin/hf']), 'stat').trim().replace(/\n/g, ', ')}`);
  // docker diff lists paths only; the remapped upper dir's owners must not add untouched ones.
  seen.push(`diff: ${ok(await docker(['diff', id]), 'diff').trim().split('\n').sort().join(', ')}`);
  ok(await docker(['rm', '-f', id]), 'rm');
  return seen;
}

/** What a remapped container's archives must say, under skiffd and dockerd alike. */
export const REMAP_CP_EXPECTED = [
  'inside: /plain 0:0, /kept 4242:4343',
  'host: plain +0 kept +4242',
  'cp out running: d 0/0, d/f 1000/50',
  'export running: bin/busybox 0/0, d 0/0, d/f 1000/50, etc 0/0, kept 4242/4343, plain 0/0',
  'cp out stopped: d 0/0, d/f 1000/50',
  'export stopped: bin/busybox 0/0, d 0/0, d/f 1000/50, etc 0/0, kept 4242/4343, plain 0/0',
  'after start: /bin 0:0, /bin/hf 0:0',
  'diff: A /bin/hf, A /d, A /d/f, A /kept, A /plain, C /bin',
];

/**
 * What dockerd 20.10 says for the same steps: the same as skiffd except where it is known to
 * differ. Its cp without -a keeps the host file's owner (the CLI sends it; skiff writes the
 * container's root, as Docker documents), and its `docker cp CID:path -` leaks host ids
 * (moby/moby#43698; its export gives container ids, as skiffd does for both).
 */
export function dockerdRemapCpExpected(rootUid: number, rootGid: number): string[] {
  const hostIds = `d ${rootUid}/${rootGid}, d/f ${rootUid + 1000}/${rootGid + 50}`;
  return REMAP_CP_EXPECTED.map((line) =>
    line
      .replace('/plain 0:0', '/plain 4242:4343')
      .replace('plain +0', 'plain +4242')
      .replace('plain 0/0', 'plain 4242/4343')
      .replace(/^(cp out \w+): .*/, `$1: ${hostIds}`)
      .replace('/bin/hf 0:0', '/bin/hf 4242:4343'),
  );
}
