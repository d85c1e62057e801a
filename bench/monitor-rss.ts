// Memory per running container: the RSS (and PSS) of skiff's per-container monitor with 50
// sleeping containers, against containerd-shim-runc-v2 under a private dockerd when installed.
//   npm run bench:rss -- [--count N]        (root)
import { readdirSync, readFileSync } from 'node:fs';
import { busyboxTarball, dockerBinary } from '../test/e2e/fixtures.js';
import { type Daemon, startDaemon } from '../test/e2e/harness.js';
import { runCommand } from '../test/e2e/run-command.js';
import { startPrivateDockerd } from './exec-dockerd.js';

function countWanted(): number {
  const i = process.argv.indexOf('--count');
  const n = Number(i >= 0 ? process.argv[i + 1] : (process.env['BENCH_COUNT'] ?? 50));
  if (!Number.isInteger(n) || n < 1) throw new Error('bad --count');
  return n;
}

/** Processes whose command line has every one of `parts` (e.g. the binary and a private root). */
function processesWith(...parts: string[]): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (parts.every((p) => cmd.includes(p))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function kib(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
    return Number(m?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

interface Memory {
  processes: number;
  rssKiB: number;
  pssKiB: number;
}

function report(label: string, pids: number[], containers: number): Memory {
  const rss = pids.map((p) => kib(p, 'status', 'VmRSS')).filter((n) => !Number.isNaN(n));
  const pss = pids.map((p) => kib(p, 'smaps_rollup', 'Pss')).filter((n) => !Number.isNaN(n));
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const m = { processes: pids.length, rssKiB: sum(rss) / containers, pssKiB: sum(pss) / containers };
  console.log(`${label.padEnd(34)} ${m.processes} processes   per container: RSS ${(m.rssKiB / 1024).toFixed(2)} MiB   PSS ${(m.pssKiB / 1024).toFixed(2)} MiB`);
  return m;
}

async function startMany(docker: string, env: NodeJS.ProcessEnv, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await runCommand(docker, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'], { env, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`container ${i} did not start: ${r.stderr}`);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  const docker = dockerBinary();
  if (docker === undefined) throw new Error('the benchmark drives the docker CLI; install docker.io (the CLI)');
  const count = countWanted();
  let skiffd: Daemon | undefined;
  let ours: Memory;
  try {
    skiffd = await startDaemon();
    const env = { ...process.env, ...skiffd.env };
    const imp = await runCommand(docker, ['import', await busyboxTarball(), 'busybox'], { env });
    if (imp.code !== 0) throw new Error(`import into skiffd failed: ${imp.stderr}`);
    await startMany(docker, env, count);
    ours = report(`skiff-monitor (${count} containers)`, processesWith('skiff-monitor', skiffd.execRoot), count);
  } finally {
    await skiffd?.stop();
  }
  const d = await startPrivateDockerd();
  if (!d) return;
  try {
    await startMany(d.docker, d.env, count);
    const theirs = report(`containerd-shim (${count} containers)`, processesWith('containerd-shim', d.root), count);
    console.log(`ratio skiff / dockerd per container: RSS ${(ours.rssKiB / theirs.rssKiB).toFixed(3)}   PSS ${(ours.pssKiB / theirs.pssKiB).toFixed(3)}`);
  } finally {
    await d.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
