// What networking adds to a container start: POST /containers/{id}/start timed for `--net none`,
// the default bridge, and the bridge with one published port (`-p 0:80`), interleaved so that the
// load of a shared machine hits every mode alike. Prints medians and the added latency.
//   npm run bench:net -- [--runs N] [--cli]     (root; BENCH_RUNS=N works too)
// --cli also times `docker run -d` wall clock per mode (includes the CLI's own start-up).
import { readFileSync } from 'node:fs';
import { busyboxTarball, dockerBinary } from '../test/e2e/fixtures.js';
import { type Daemon, startDaemon } from '../test/e2e/harness.js';

const WARMUPS = 3;
const TARGET_MS = 10;

interface Mode {
  label: string;
  hostConfig: Record<string, unknown>;
  cli: string[];
}

const modes: Mode[] = [
  { label: '--net none', hostConfig: { NetworkMode: 'none' }, cli: ['--net', 'none'] },
  { label: 'bridge', hostConfig: { NetworkMode: 'bridge' }, cli: [] },
  {
    label: 'bridge -p 0:80',
    hostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '0' }] } },
    cli: ['-p', '0:80'],
  },
];

function runsWanted(): number {
  const i = process.argv.indexOf('--runs');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_RUNS'];
  const n = raw === undefined ? 20 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad run count ${raw}`);
  return n;
}

function median(ms: readonly number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

async function must(d: Daemon, method: string, path: string, body?: string): Promise<string> {
  const r = await d.api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r.body;
}

/** Creates a container, times only its start, then removes it (untimed). */
async function timeApiStart(d: Daemon, mode: Mode, ids: string[]): Promise<number> {
  const body = JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '300'], ExposedPorts: { '80/tcp': {} }, HostConfig: mode.hostConfig });
  const id = (JSON.parse(await must(d, 'POST', '/containers/create', body)) as { Id: string }).Id;
  ids.push(id);
  const t0 = process.hrtime.bigint();
  await must(d, 'POST', `/containers/${id}/start`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await must(d, 'DELETE', `/containers/${id}?force=1`);
  return ms;
}

async function timeCliRun(d: Daemon, mode: Mode): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await d.docker(['run', '-d', ...mode.cli, 'busybox', 'sleep', '300']);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0) throw new Error(`docker run ${mode.cli.join(' ')}: ${r.stderr}`);
  await must(d, 'DELETE', `/containers/${r.stdout.trim()}?force=1`);
  return ms;
}

/** skiffd's own measure of NetworkManager.setUp per container (its debug log), less noisy than a whole start. */
function setUpTimes(logPath: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (!line.includes('"network set up"')) continue;
    const rec = JSON.parse(line) as { id?: string; ms?: number };
    if (rec.id && typeof rec.ms === 'number') out.set(rec.id, rec.ms);
  }
  return out;
}

function report(title: string, times: number[][], runs: number): void {
  console.log(`${title} (n=${runs} each, interleaved, ${WARMUPS} warm-up rounds)`);
  const meds = times.map(median);
  modes.forEach((m, i) => console.log(`  ${m.label.padEnd(16)} median ${(meds[i] ?? NaN).toFixed(1).padStart(7)} ms`));
  const none = meds[0] ?? NaN;
  const added = (i: number) => (meds[i] ?? NaN) - none;
  console.log(`  added by bridge:            ${added(1).toFixed(1).padStart(6)} ms`);
  const withPort = added(2);
  console.log(`  added by bridge + 1 port:   ${withPort.toFixed(1).padStart(6)} ms  (target < ${TARGET_MS} ms: ${withPort < TARGET_MS ? 'met' : 'NOT met'})`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  const runs = runsWanted();
  const cli = process.argv.includes('--cli') && dockerBinary() !== undefined;
  const d = await startDaemon({ args: ['-l', 'debug'] });
  let failure: unknown;
  try {
    const imp = await d.skiff(['import', await busyboxTarball(), 'busybox']);
    if (imp.code !== 0) throw new Error(`import failed: ${imp.stderr}`);
    const api: number[][] = modes.map(() => []);
    const wall: number[][] = modes.map(() => []);
    const ids: string[][] = modes.map(() => []);
    for (let round = 0; round < WARMUPS + runs; round++) {
      // Rotate the order every round so no mode always runs right after another.
      for (let k = 0; k < modes.length; k++) {
        const i = (k + round) % modes.length;
        const mode = modes[i];
        if (!mode) continue;
        const counted = round >= WARMUPS ? (ids[i] ?? []) : [];
        const ms = await timeApiStart(d, mode, counted);
        if (round >= WARMUPS) api[i]?.push(ms);
        if (cli) {
          const w = await timeCliRun(d, mode);
          if (round >= WARMUPS) wall[i]?.push(w);
        }
      }
    }
    report('POST /containers/{id}/start', api, runs);
    const setUp = setUpTimes(`${d.root}.log`);
    console.log('NetworkManager.setUp inside skiffd (median of its debug log)');
    modes.forEach((m, i) => {
      const ms = (ids[i] ?? []).map((id) => setUp.get(id)).filter((v): v is number => v !== undefined);
      console.log(`  ${m.label.padEnd(16)} median ${median(ms).toFixed(1).padStart(7)} ms  (n=${ms.length})`);
    });
    if (cli) report('docker run -d (wall clock)', wall, runs);
  } catch (e) {
    failure = e;
  } finally {
    await d.stop().catch((e: unknown) => {
      failure ??= e;
    });
  }
  if (failure !== undefined) throw failure;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
