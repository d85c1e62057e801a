// Moving image bytes: import of a big rootfs tarball, commit of a container's changes, and push
// then pull of a big image through a fresh local registry per sample (so every push uploads
// every byte and every pull downloads them).
import { type BenchEngine, must } from '../engines.js';
import { msSince, summarize, timeMs } from '../report/measurement.js';
import { runCommand } from '../../test/e2e/run-command.js';
import { startLocalRegistry } from './local-registry.js';
import type { Workload } from './params.js';

/**
 * Writes back dirty pages before a timed transfer: otherwise the writeback of what came before
 * (the big rootfs just made, the previous step's layers) lands on whichever engine goes next.
 */
async function settleDisk(): Promise<void> {
  await runCommand('sync', [], { timeoutMs: 120_000 });
}

export const importRootfs: Workload = async (e, ctx) => {
  const tar = await ctx.bigRootfs();
  const times: number[] = [];
  for (let i = 0; i < ctx.params.transferRuns; i++) {
    await settleDisk();
    times.push((await timeMs(() => must(e.docker, ['import', tar, `bench-import:${i}`]))) / 1000);
    await must(e.docker, ['rmi', `bench-import:${i}`]);
  }
  return [summarize('import', e.name, 's', times)];
};

export const commitChanges: Workload = async (e, { params }) => {
  const script = `mkdir /data && for i in $(seq 1 ${params.commitMiB}); do head -c 1048576 /dev/urandom > /data/f$i; done`;
  const times: number[] = [];
  for (let i = 0; i < params.commitRuns; i++) {
    const name = `bench-commit-${i}`;
    await must(e.docker, ['run', '--name', name, '--network', 'none', 'busybox', 'sh', '-c', script]);
    try {
      times.push((await timeMs(() => must(e.docker, ['commit', name, `bench-commit:${i}`]))) / 1000);
    } finally {
      await e.docker(['rm', '-f', name]);
    }
    await must(e.docker, ['rmi', `bench-commit:${i}`]);
  }
  return [summarize('commit', e.name, 's', times)];
};

async function pushPullOnce(e: BenchEngine, work: string): Promise<{ push: number; pull: number; kind: string }> {
  const reg = await startLocalRegistry(work);
  try {
    const ref = `${reg.host}/bench/big:v1`;
    await must(e.docker, ['tag', 'bench-big', ref]);
    await settleDisk();
    let t = process.hrtime.bigint();
    await must(e.docker, ['push', ref]);
    const push = msSince(t) / 1000;
    // Drop both names so the layer itself goes and the pull has to fetch every byte.
    await must(e.docker, ['rmi', ref, 'bench-big']);
    await settleDisk();
    t = process.hrtime.bigint();
    await must(e.docker, ['pull', ref]);
    const pull = msSince(t) / 1000;
    await must(e.docker, ['tag', ref, 'bench-big']);
    await must(e.docker, ['rmi', ref]);
    return { push, pull, kind: reg.kind };
  } finally {
    await reg.stop();
  }
}

export const pushPull: Workload = async (e, ctx) => {
  await must(e.docker, ['import', await ctx.bigRootfs(), 'bench-big']);
  const push: number[] = [];
  const pull: number[] = [];
  let kind = '';
  try {
    for (let i = 0; i < ctx.params.transferRuns; i++) {
      const r = await pushPullOnce(e, ctx.work);
      push.push(r.push);
      pull.push(r.pull);
      kind = r.kind;
    }
  } finally {
    await e.docker(['rmi', 'bench-big']);
  }
  const note = `${ctx.params.rootfsMiB} MiB image (one layer) through a fresh ${kind} on loopback per sample`;
  return [summarize('push', e.name, 's', push, note), summarize('pull', e.name, 's', pull, note)];
};
