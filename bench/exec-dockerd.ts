// Shared by the benchmarks: a private dockerd to compare with, and timing. By default the dockerd
// never touches the host's firewall or bridges (--bridge=none --iptables=false --ip6tables=false)
// and it always keeps its state under its own temp roots.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { busyboxTarball, dockerBinary, findOnPath } from '../test/e2e/fixtures.js';
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

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface PrivateDockerd {
  root: string;
  env: NodeJS.ProcessEnv;
  docker: string;
  stop(): Promise<void>;
}

export const firewallFreeDockerdArgs = ['--bridge=none', '--iptables=false', '--ip6tables=false'];

/** A throwaway dockerd with busybox imported, or undefined (with a note) when docker.io is absent. */
export async function startPrivateDockerd(extraArgs: readonly string[] = firewallFreeDockerdArgs): Promise<PrivateDockerd | undefined> {
  const dockerd = findOnPath('dockerd');
  const docker = dockerBinary();
  if (dockerd === undefined || docker === undefined) {
    console.log('dockerd or the docker CLI is not installed: no comparison (apt-get install docker.io to compare)');
    return undefined;
  }
  const root = mkdtempSync('/tmp/skb-');
  const socket = join(root, 'docker.sock');
  writeFileSync(join(root, 'config.json'), '{}\n');
  const fd = openSync(join(root, 'dockerd.log'), 'a');
  const child = spawn(
    dockerd,
    ['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'dockerd.pid'), '-H', `unix://${socket}`, ...extraArgs],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: root };
  const stop = async (): Promise<void> => {
    const ids = (await runCommand(docker, ['ps', '-aq'], { env })).stdout.split('\n').filter(Boolean);
    if (ids.length) await runCommand(docker, ['rm', '-f', ...ids], { env, timeoutMs: 300_000 });
    child.kill('SIGTERM');
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (await ping(socket)) {
      const imp = await runCommand(docker, ['import', await busyboxTarball(), 'busybox'], { env });
      if (imp.code !== 0) {
        await stop();
        throw new Error(`import into dockerd failed: ${imp.stderr}`);
      }
      return { root, env, docker, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`dockerd did not start; see ${join(root, 'dockerd.log')}`);
  child.kill('SIGKILL');
  await exited;
  return undefined;
}
