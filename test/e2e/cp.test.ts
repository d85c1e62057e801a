// docker cp both ways, running and stopped, compared with dockerd 20.10; and paths that try to leave the root.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type CommandOptions, type CommandResult, type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';
import { dockerdBinary, type Oracle, startOracle } from './save-load-oracle.js';

type Docker = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

/** A tree as comparable text: path, type, permission bits, size, content hash or link target. */
function describeTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const p = join(dir, r);
    const st = lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.push(`${r} link ${readlinkSync(p)}`);
    else if (st.isDirectory()) out.push(`${r} dir ${mode}`, ...describeTree(dir, r));
    else out.push(`${r} file ${mode} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 12)}`);
  }
  return out;
}

/** The same cp steps against any daemon; returns what landed where, as text. */
async function cpScenario(docker: Docker, work: string): Promise<string> {
  const src = join(work, 'src');
  mkdirSync(join(src, 'd', 'sub'), { recursive: true });
  writeFileSync(join(src, 'f'), 'file\n', { mode: 0o640 });
  writeFileSync(join(src, 'd', 'sub', 'x'), 'x\n');
  symlinkSync('f', join(src, 'l'));
  const toContainer = async (c: string) => {
    ok(await docker(['cp', join(src, 'f'), `${c}:/tmp/`]), 'cp f');
    ok(await docker(['cp', join(src, 'f'), `${c}:/tmp/renamed`]), 'cp f renamed');
    ok(await docker(['cp', join(src, 'd'), `${c}:/tmp/`]), 'cp d');
    ok(await docker(['cp', join(src, 'd'), `${c}:/tmp/newd`]), 'cp d newd');
    ok(await docker(['cp', `${join(src, 'd')}/.`, `${c}:/tmp/contents`]), 'cp d/.');
    ok(await docker(['cp', join(src, 'l'), `${c}:/tmp/`]), 'cp l');
  };
  const fromContainer = async (c: string, out: string) => {
    mkdirSync(out);
    ok(await docker(['cp', `${c}:/tmp`, join(out, 'tmp')]), 'cp out tmp');
    ok(await docker(['cp', `${c}:/tmp/f`, join(out, 'f-out')]), 'cp out f');
    ok(await docker(['cp', `${c}:/tmp/l`, join(out, 'l-out')]), 'cp out l');
    ok(await docker(['cp', `${c}:/tmp/d/.`, join(out, 'd-contents')]), 'cp out d/.');
    ok(await docker(['cp', `${c}:/bin/sh`, join(out, 'sh')]), 'cp out symlink');
  };
  ok(await docker(['run', '-d', '--name', 'running', '--network', 'none', 'busybox', 'sleep', '300']), 'run');
  await toContainer('running');
  await fromContainer('running', join(work, 'out-running'));
  ok(await docker(['create', '--name', 'stopped', '--network', 'none', 'busybox', 'sh', '-c', 'cd /tmp && find . | sort | while read p; do stat -c "%n %F %a %s %u:%g" "$p"; done']), 'create');
  await toContainer('stopped');
  await fromContainer('stopped', join(work, 'out-stopped'));
  const inside = ok(await docker(['start', '-a', 'stopped']), 'start -a');
  ok(await docker(['rm', '-f', 'running', 'stopped']), 'rm');
  return [...describeTree(join(work, 'out-running')), '--', ...describeTree(join(work, 'out-stopped')), '--', inside].join('\n');
}

describe('docker cp with the docker CLI', { skip, timeout: 400_000 }, () => {
  let d: Daemon;
  let oracle: Oracle | undefined;
  let work: string;

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
    work = mkdtempSync('/tmp/skf-cp-');
  });
  after(async () => {
    await oracle?.stop();
    await d?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('lands files, directories and symlinks where dockerd 20.10 lands them, running and stopped', { skip: dockerdBinary() === undefined ? 'dockerd is not installed' : false }, async () => {
    oracle = await startOracle();
    ok(await oracle.docker(['import', await busyboxTarball(), 'busybox']), 'import into dockerd');
    mkdirSync(join(work, 'skiff'));
    mkdirSync(join(work, 'dockerd'));
    const ours = await cpScenario(d.docker, join(work, 'skiff'));
    const theirs = await cpScenario(oracle.docker, join(work, 'dockerd'));
    assert.equal(ours, theirs);
    assert.match(ours, /tmp\/d\/sub\/x file/);
  });

  it('the path-stat header carries Go file-mode bits', async () => {
    ok(await d.docker(['create', '--name', 'statme', 'busybox', 'true']), 'create');
    const r = await d.api('HEAD', '/containers/statme/archive?path=/etc');
    assert.equal(r.status, 200);
    const stat = JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat']), 'base64').toString()) as { name: string; mode: number };
    assert.equal(stat.name, 'etc');
    assert.equal(stat.mode, 2 ** 31 + 0o755);
    const missing = await d.api('HEAD', '/containers/statme/archive?path=/nope');
    assert.equal(missing.status, 404);
    ok(await d.docker(['rm', 'statme']), 'rm');
  });

  it('never reads or writes outside the container root through .. or symlinks', async () => {
    ok(await d.docker(['run', '-d', '--name', 'jail', 'busybox', 'sh', '-c', 'ln -s / /tmp/abs; ln -s ../../../../../../.. /tmp/up; sleep 300']), 'run');
    await new Promise((r) => setTimeout(r, 500));
    const containerPasswd = ok(await d.docker(['run', '--rm', 'busybox', 'cat', '/etc/passwd']), 'cat');
    assert.notEqual(containerPasswd, readFileSync('/etc/passwd', 'utf8'));
    const out = join(work, 'escape');
    mkdirSync(out);
    for (const path of ['/../../../../etc/passwd', '/tmp/abs/etc/passwd', '/tmp/up/etc/passwd']) {
      rmSync(join(out, 'passwd'), { force: true });
      ok(await d.docker(['cp', `jail:${path}`, out]), `cp ${path}`);
      assert.equal(readFileSync(join(out, 'passwd'), 'utf8'), containerPasswd, path);
    }
    const marker = `skiff-escape-${randomBytes(4).toString('hex')}`;
    writeFileSync(join(out, marker), 'm');
    for (const dest of ['/tmp/up/', '/tmp/abs/', '/../../']) {
      ok(await d.docker(['cp', join(out, marker), `jail:${dest}`]), `cp to ${dest}`);
      assert.ok(!existsSync(`/${marker}`), `nothing written to the host's / via ${dest}`);
    }
    // The copies landed at the container's own root.
    const back = join(out, 'back');
    ok(await d.docker(['cp', `jail:/${marker}`, back]), 'cp back');
    assert.equal(readFileSync(back, 'utf8'), 'm');
    // A tar entry climbing out with ".." is refused.
    const evil = tarWithEntry(`../../../../${marker}-tar`, 'evil');
    const r = await d.api('PUT', '/containers/jail/archive?path=/tmp', evil.toString('latin1'), { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 400);
    assert.ok(!existsSync(`/${marker}-tar`));
    fails(await d.docker(['cp', `jail:/no/such`, out]), 1, 'Could not find the file /no/such in container jail');
    ok(await d.docker(['rm', '-f', 'jail']), 'rm');
  });

  it('exports a container as a flat tar of its root', async () => {
    ok(await d.docker(['run', '--name', 'exp', 'busybox', 'sh', '-c', 'echo e > /exported']), 'run');
    const file = join(work, 'exp.tar');
    ok(await d.docker(['export', '-o', file, 'exp']), 'export');
    const list = ok(await runCommand('tar', ['tf', file]), 'tar tf');
    assert.match(list, /^exported$/m);
    assert.match(list, /^bin\/busybox$/m);
    ok(await d.docker(['rm', 'exp']), 'rm');
  });
});

/** One-entry ustar archive (the name is written as given, ".." and all). */
function tarWithEntry(name: string, content: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.fill(0x20, 148, 156);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const body = Buffer.alloc(512);
  body.write(content);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}
