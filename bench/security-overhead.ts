// What the isolation defaults cost at start-up: `docker run --rm busybox true` with skiff's
// defaults (seccomp filter, masked paths, default capabilities) against the same run without them
// (`--security-opt seccomp=unconfined --security-opt systempaths=unconfined`). Target: within 10%.
//   node dist/bench/security-overhead.js [--runs N]      (root; BENCH_RUNS=N works too)
import { busyboxTarball } from '../test/e2e/fixtures.js';
import { startDaemon } from '../test/e2e/harness.js';

const WARMUPS = 3;

function runsWanted(): number {
  const i = process.argv.indexOf('--runs');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_RUNS'];
  const n = raw === undefined ? 20 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad run count ${raw}`);
  return n;
}

const median = (ms: number[]): number => {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (it runs containers)');
  const runs = runsWanted();
  const d = await startDaemon();
  try {
    const imp = await d.docker(['import', await busyboxTarball(), 'busybox']);
    if (imp.code !== 0) throw new Error(`import failed: ${imp.stderr}`);
    const variants: Array<{ label: string; flags: string[] }> = [
      { label: 'defaults (seccomp, masks)', flags: [] },
      { label: 'without (unconfined)', flags: ['--security-opt', 'seccomp=unconfined', '--security-opt', 'systempaths=unconfined'] },
    ];
    const times = variants.map(() => [] as number[]);
    // Interleaved, so drift in the machine's load hits both variants alike.
    for (let i = 0; i < WARMUPS + runs; i++) {
      for (const [v, variant] of variants.entries()) {
        const start = process.hrtime.bigint();
        const r = await d.docker(['run', '--rm', ...variant.flags, 'busybox', 'true']);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.code !== 0) throw new Error(`${variant.label}: run ${i} exited ${r.code}: ${r.stderr}`);
        if (i >= WARMUPS) times[v]?.push(ms);
      }
    }
    const [withDefaults, without] = times.map(median) as [number, number];
    for (const [v, variant] of variants.entries()) {
      console.log(`${variant.label.padEnd(28)} median ${median(times[v] ?? []).toFixed(1).padStart(7)} ms   (n=${runs})`);
    }
    const ratio = withDefaults / without;
    console.log(`ratio defaults/without: ${ratio.toFixed(3)} (target ≤ 1.10) ${ratio <= 1.1 ? 'ok' : 'OVER TARGET'}`);
  } finally {
    await d.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
