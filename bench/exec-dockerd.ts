// Shared by the standalone benchmarks: a private dockerd to compare with, and timing. The dockerd
// never touches the host's firewall or bridges and keeps its state under its own temp roots.
import { join } from 'node:path';
import { dockerBinary } from '../test/e2e/fixtures.js';
import { startPrivateDockerd as startSharedPrivateDockerd } from '../test/e2e/private-dockerd.js';
import { runCommand } from '../test/e2e/run-command.js';

export interface Stats {
  median: number;
  p90: number;
}

export function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { median: at(0.5), p90: at(0.9) };
}

export function runsWanted(fallback: number): number {
  const i = process.argv.indexOf('--runs');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_RUNS'];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad run count ${raw}`);
  return n;
}

/** Times `argv` `runs` times after `warmups`; each run must exit 0. */
export async function timeRuns(label: string, file: string, argv: string[], env: NodeJS.ProcessEnv, runs: number, warmups = 3): Promise<Stats> {
  const times: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const start = process.hrtime.bigint();
    const r = await runCommand(file, argv, { env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.code !== 0) throw new Error(`${label}: run ${i} exited ${r.code}: ${r.stderr}`);
    if (i >= warmups) times.push(ms);
  }
  const s = stats(times);
  console.log(`${label.padEnd(30)} median ${s.median.toFixed(1).padStart(7)} ms   p90 ${s.p90.toFixed(1).padStart(7)} ms   (n=${runs})`);
  return s;
}

export interface PrivateDockerd {
  root: string;
  env: NodeJS.ProcessEnv;
  docker: string;
  stop(): Promise<void>;
}

/**
 * A throwaway dockerd with busybox imported, or undefined (with a note) when docker.io is absent.
 * One implementation for tests and benchmarks (test/e2e/private-dockerd.ts): its own roots under
 * /tmp and always --bridge=none --iptables=false --ip6tables=false, so no benchmark can touch
 * the shared host's firewall or bridges.
 */
export async function startPrivateDockerd(): Promise<PrivateDockerd | undefined> {
  const docker = dockerBinary();
  const d = docker === undefined ? undefined : await startSharedPrivateDockerd();
  if (d === undefined || docker === undefined) {
    console.log('dockerd or the docker CLI is not installed: no comparison (apt-get install docker.io to compare)');
    return undefined;
  }
  // The helper keeps its client config in <root>/cfg; the env lets callers spawn the CLI themselves.
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: join(d.root, 'cfg') };
  for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[k];
  const stop = async (): Promise<void> => {
    const ids = (await d.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await d.docker(['rm', '-f', ...ids], { timeoutMs: 300_000 });
    await d.stop();
  };
  return { root: d.root, env, docker, stop };
}
