// `docker commit` of a container with 100 MiB of changes, and `docker save` / `docker load` of a
// ~250 MiB image, against skiffd and (when Debian's docker.io is installed) a private dockerd 20.10.
// Prints seconds per step and skiff/dockerd ratios.   node dist/bench/commit-save.js   (root)
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxTarball, dockerBinary } from '../test/e2e/fixtures.js';
import { startDaemon } from '../test/e2e/harness.js';
import type { CommandOptions, CommandResult } from '../test/e2e/run-command.js';
import { startPrivateDockerd } from '../test/e2e/private-dockerd.js';

type Docker = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

async function timed(label: string, docker: Docker, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await docker(args, { timeoutMs: 600_000 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`${label}: ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(7)} s`);
  return s;
}

/** The same steps against one engine; `net` is the --network value its containers need. */
async function steps(name: string, docker: Docker, work: string, net: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const ok = async (args: string[]) => {
    const r = await docker(args, { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`${name}: ${args.join(' ')}: ${r.stderr}`);
  };
  if (name === 'skiff') await ok(['import', await busyboxTarball(), 'busybox']); // the private dockerd comes with it
  // 100 MiB of changes: 100 files of 1 MiB of random data.
  await ok(['run', '--name', 'bench-commit', '--network', net, 'busybox', 'sh', '-c', 'mkdir /data && for i in $(seq 1 100); do head -c 1048576 /dev/urandom > /data/f$i; done']);
  out['commit 100 MiB'] = await timed(`${name}: commit 100 MiB`, docker, ['commit', 'bench-commit', 'bench:100m']);
  // ~250 MiB image: two more layers of 75 MiB on the committed one.
  await ok(['run', '--name', 'bench-big', '--network', net, 'bench:100m', 'sh', '-c', 'mkdir /more && for i in $(seq 1 150); do head -c 1048576 /dev/urandom > /more/g$i; done']);
  await ok(['commit', 'bench-big', 'bench:250m']);
  const file = join(work, `${name}.tar`);
  out['save 250 MiB'] = await timed(`${name}: save 250 MiB`, docker, ['save', '-o', file, 'bench:250m']);
  await ok(['rm', '-f', 'bench-commit', 'bench-big']);
  await ok(['rmi', 'bench:250m', 'bench:100m']);
  out['load 250 MiB'] = await timed(`${name}: load 250 MiB`, docker, ['load', '-q', '-i', file]);
  return out;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  if (!dockerBinary()) throw new Error('the docker CLI is needed');
  const work = mkdtempSync('/tmp/skf-bench-');
  const d = await startDaemon();
  let ours: Record<string, number>;
  try {
    ours = await steps('skiff', d.docker, work, 'none');
  } finally {
    await d.stop();
  }
  // The one private-dockerd helper: own roots, --bridge=none --iptables=false --ip6tables=false.
  const o = await startPrivateDockerd();
  if (o === undefined) {
    console.log('dockerd is not installed: no ratios');
    rmSync(work, { recursive: true, force: true });
    return;
  }
  let theirs: Record<string, number>;
  try {
    theirs = await steps('dockerd', o.docker, work, 'none');
  } finally {
    await o.stop();
    rmSync(work, { recursive: true, force: true });
  }
  for (const k of Object.keys(ours)) {
    const ratio = (ours[k] ?? NaN) / (theirs[k] ?? NaN);
    console.log(`${k.padEnd(20)} skiff/dockerd ${ratio.toFixed(2)}x`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
