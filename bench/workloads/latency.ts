// Latency workloads, timed as a user sees them (wall clock of the whole CLI invocation):
// `run --rm busybox true` through the docker CLI and through `skiff`, `exec true` in a running
// container, and N concurrent `run --rm`. Containers use --network none on every engine: the
// private dockerd has no bridge (it must stay off the shared firewall), so that is the only
// network mode both can run.
import { type Cli, must } from '../engines.js';
import { msSince, summarize } from '../report/measurement.js';
import type { Workload } from './params.js';

const RUN_TRUE = ['run', '--rm', '--network', 'none', 'busybox', 'true'];

/** Times `args` runs+warmups times through `cli`, keeping only the runs after the warm-ups. */
async function timeCli(cli: Cli, args: readonly string[], runs: number, warmups: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const t = process.hrtime.bigint();
    await must(cli, args, { timeoutMs: 120_000 });
    if (i >= warmups) times.push(msSince(t));
  }
  return times;
}

export const runTrueDocker: Workload = async (e, { params }) => [
  summarize('run-docker', e.name, 'ms', await timeCli(e.docker, RUN_TRUE, params.latencyRuns, params.warmups)),
];

/** skiff's own CLI (a node process, ~100 ms of start-up here); only skiff has one. */
export const runTrueSkiffCli: Workload = async (e, { params }) => {
  if (e.skiff === undefined) return [];
  return [summarize('run-skiff-cli', e.name, 'ms', await timeCli(e.skiff, RUN_TRUE, params.latencyRuns, params.warmups))];
};

export const execTrue: Workload = async (e, { params }) => {
  const id = (await must(e.docker, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])).trim();
  try {
    return [summarize('exec', e.name, 'ms', await timeCli(e.docker, ['exec', id, 'true'], params.latencyRuns, params.warmups))];
  } finally {
    await e.docker(['rm', '-f', id]);
  }
};

/** N `run --rm` started together; the sample is the wall time until the last one exits. */
export const concurrentRuns: Workload = async (e, { params }) => {
  const totals: number[] = [];
  for (let rep = 0; rep < params.concurrentReps; rep++) {
    const t = process.hrtime.bigint();
    // Named, so the figure is about running and not also about random-name collisions.
    const runs = Array.from({ length: params.concurrent }, (_, i) => ['run', '--rm', '--name', `bench-conc-${rep}-${i}`, ...RUN_TRUE.slice(2)]);
    const results = await Promise.allSettled(runs.map((args) => must(e.docker, args, { timeoutMs: 600_000 })));
    totals.push(msSince(t) / 1000);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${params.concurrent} concurrent runs failed; first: ${String(failed[0]?.reason)}`);
  }
  return [summarize('concurrent-run', e.name, 's', totals)];
};
