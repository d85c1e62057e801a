// Container start-up latency: `docker run --rm busybox true` against skiffd, and against a
// private dockerd when Debian's docker.io is installed. Prints median and p90 and the ratio.
//   npm run bench -- [--runs N]        (root; BENCH_RUNS=N works too)
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { busyboxTarball, dockerBinary, findOnPath, repoRoot } from '../test/e2e/fixtures.js';
import { type Daemon, startDaemon } from '../test/e2e/harness.js';
import { runCommand } from '../test/e2e/run-command.js';

const WARMUPS = 3;

function runsWanted(): number {
  const i = process.argv.indexOf('--runs');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_RUNS'];
  const n = raw === undefined ? 20 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad run count ${raw}`);
  return n;
}

interface Stats {
  median: number;
  p90: number;
}

function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { median: at(0.5), p90: at(0.9) };
}

/** Times `argv` N times after warm-ups; each run must exit 0. */
async function timeRuns(label: string, file: string, argv: string[], env: NodeJS.ProcessEnv, runs: number): Promise<Stats> {
  const times: number[] = [];
  for (let i = 0; i < WARMUPS + runs; i++) {
    const start = process.hrtime.bigint();
    const r = await runCommand(file, argv, { env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.code !== 0) throw new Error(`${label}: run ${i} exited ${r.code}: ${r.stderr}`);
    if (i >= WARMUPS) times.push(ms);
  }
  const s = stats(times);
  console.log(`${label.padEnd(28)} median ${s.median.toFixed(1).padStart(7)} ms   p90 ${s.p90.toFixed(1).padStart(7)} ms   (n=${runs})`);
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

/** A throwaway dockerd with its own roots, so the benchmark never touches a real Docker's state. */
async function startDockerd(dockerd: string): Promise<{ socket: string; stop: () => Promise<void> } | undefined> {
  const root = mkdtempSync('/tmp/skb-');
  const socket = join(root, 'docker.sock');
  const fd = openSync(join(root, 'dockerd.log'), 'a');
  const child = spawn(
    dockerd,
    [
      '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'dockerd.pid'), '-H', `unix://${socket}`,
      // e.g. "--bridge=none --iptables=false" to keep dockerd's firewall changes off a shared machine
      ...(process.env.SKIFF_BENCH_DOCKERD_ARGS ?? '').split(' ').filter(Boolean),
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (await ping(socket)) return { socket, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`dockerd did not start; see ${join(root, 'dockerd.log')}`);
  child.kill('SIGKILL');
  await exited;
  return undefined;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  const runs = runsWanted();
  const docker = dockerBinary();
  const tarball = await busyboxTarball();
  const configDir = mkdtempSync('/tmp/skb-cfg-');
  writeFileSync(join(configDir, 'config.json'), '{}\n');

  let skiffd: Daemon | undefined;
  let skiffMedian = NaN;
  let failure: unknown;
  try {
    skiffd = await startDaemon();
    const imp = await skiffd.skiff(['import', tarball, 'busybox']);
    if (imp.code !== 0) throw new Error(`import into skiffd failed: ${imp.stderr}`);
    const env = { ...process.env, ...skiffd.env };
    if (docker !== undefined) {
      skiffMedian = (await timeRuns('docker CLI -> skiffd', docker, ['run', '--rm', 'busybox', 'true'], env, runs)).median;
    }
    const viaSkiff = await timeRuns(
      'skiff CLI -> skiffd',
      process.execPath,
      [join(repoRoot(), 'bin', 'skiff'), 'run', '--rm', 'busybox', 'true'],
      { ...env, SKIFF_HOST: skiffd.env.DOCKER_HOST },
      runs,
    );
    if (Number.isNaN(skiffMedian)) skiffMedian = viaSkiff.median;
  } catch (e) {
    failure = e;
  } finally {
    // Report the benchmark's own failure first; a leak found at shutdown comes second.
    await skiffd?.stop().catch((e: unknown) => {
      failure ??= e;
      if (failure !== e) console.error(e instanceof Error ? e.message : e);
    });
  }
  if (failure !== undefined) {
    rmSync(configDir, { recursive: true, force: true });
    throw failure;
  }

  const dockerd = findOnPath('dockerd');
  if (dockerd === undefined || docker === undefined) {
    console.log('dockerd or the docker CLI is not installed: no comparison (apt-get install docker.io to compare)');
    rmSync(configDir, { recursive: true, force: true });
    return;
  }
  const d = await startDockerd(dockerd);
  if (d === undefined) return;
  try {
    const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: configDir };
    const imp = await runCommand(docker, ['import', tarball, 'busybox'], { env });
    if (imp.code !== 0) throw new Error(`import into dockerd failed: ${imp.stderr}`);
    const viaDocker = await timeRuns('docker CLI -> dockerd', docker, ['run', '--rm', 'busybox', 'true'], env, runs);
    console.log(`ratio skiffd / dockerd (median): ${(skiffMedian / viaDocker.median).toFixed(2)}`);
  } finally {
    await d.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
