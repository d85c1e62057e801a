// Memory and scale: the daemon's idle RSS (skiffd alone; dockerd plus the containerd it needs),
// and a fleet of sleeping containers — the time to start them all, each start's latency, and
// the memory of the per-container process (skiff-monitor; containerd-shim-runc-v2) read once
// `memContainers` of them run.
import { type BenchEngine, must } from '../engines.js';
import { msSince, summarize, type Measurement } from '../report/measurement.js';
import { pssMiB, rssMiB } from '../proc-memory.js';
import { mapLimit } from '../../src/base/map-limit.js';
import type { Workload } from './params.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export const idleRss: Workload = async (e, { params }) => {
  await sleep(2000); // let the previous workload's work (and its GC) finish
  const readings: number[] = [];
  let parts = '';
  for (let i = 0; i < params.idleReadings; i++) {
    if (i > 0) await sleep(1000);
    const procs = e.daemonProcesses().map((p) => ({ ...p, mib: rssMiB(p.pid) }));
    if (procs.length === 0 || procs.some((p) => Number.isNaN(p.mib))) throw new Error(`cannot read the daemon's memory: ${JSON.stringify(procs)}`);
    readings.push(sum(procs.map((p) => p.mib)));
    parts = procs.map((p) => `${p.name} ${p.mib.toFixed(1)}`).join(' + ');
  }
  return [summarize('idle-rss', e.name, 'MiB', readings, `VmRSS with no container running, after the latency workloads: ${parts} MiB (last reading)`)];
};

function monitorMemory(e: BenchEngine, containers: number): Measurement[] {
  const pids = e.monitorPids();
  const rss = pids.map(rssMiB).filter((n) => !Number.isNaN(n));
  const pss = pids.map(pssMiB).filter((n) => !Number.isNaN(n));
  const per = (xs: number[]) => (sum(xs) / containers).toFixed(2);
  const note = `${pids.length} ${e.monitorName} processes for ${containers} running containers; sum/containers: RSS ${per(rss)} MiB, PSS ${per(pss)} MiB`;
  if (pids.length === 0) throw new Error(`no ${e.monitorName} process found with ${containers} containers running`);
  return [summarize('monitor-rss', e.name, 'MiB', rss, note), summarize('monitor-pss', e.name, 'MiB', pss)];
}

export const fleet: Workload = async (e, { params }) => {
  const ids: string[] = [];
  const each: number[] = [];
  let total = 0;
  const start = async (n: number): Promise<void> => {
    const t = process.hrtime.bigint();
    const base = ids.length;
    await mapLimit(Array.from({ length: n }), params.fleetParallel, async (_, i) => {
      const s = process.hrtime.bigint();
      // Named, so the figure is start time alone and not also a test of random-name collisions.
      const name = `bench-fleet-${base + i}`;
      ids.push((await must(e.docker, ['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '3600'], { timeoutMs: 300_000 })).trim());
      each.push(msSince(s));
    });
    total += msSince(t) / 1000;
  };
  try {
    const first = Math.min(params.memContainers, params.fleet);
    await start(first);
    await sleep(1000); // let the monitors settle after their start-up work
    const memory = monitorMemory(e, first);
    await start(params.fleet - first);
    const note = `${params.fleet} × run -d --name bench-fleet-N --network none busybox sleep, ${params.fleetParallel} CLI processes at a time`;
    return [summarize('fleet-start', e.name, 's', [total], note), summarize('fleet-start-each', e.name, 'ms', each), ...memory];
  } finally {
    for (let i = 0; i < ids.length; i += 50) await e.docker(['rm', '-f', ...ids.slice(i, i + 50)], { timeoutMs: 600_000 });
  }
};
