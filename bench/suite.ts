// One command for every benchmark: skiff against a private dockerd (Debian's docker.io) when
// installed, podman reported as absent unless installed. Writes
// bench/results/<timestamp>/{results.md,results.json,plot.svg} and prints the table.
//   node dist/bench/suite.js [--quick] [--only run,exec,...] [--no-dockerd] [--out DIR]   (root)
// Exit status 1 when a workload failed (its error is in the table); missed targets are results.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { busyboxTarball, dockerBinary, repoRoot } from '../test/e2e/fixtures.js';
import { type BenchEngine, podmanInstalled, startDockerd, startSkiff } from './engines.js';
import { mergeMeasurements, type Measurement } from './report/measurement.js';
import { formatValue, type EngineInfo, type Report } from './report/report.js';
import { renderMarkdown } from './report/markdown-report.js';
import { renderSvg } from './report/svg-plot.js';
import { catalog, plotPanels } from './workload-catalog.js';
import { makeBigRootfs } from './workloads/big-rootfs.js';
import { fleet, idleRss } from './workloads/memory.js';
import { commitChanges, importRootfs, pushPull } from './workloads/image-transfer.js';
import { concurrentRuns, execTrue, runTrueDocker, runTrueSkiffCli } from './workloads/latency.js';
import { paramsFor, roundParams, type Workload, type WorkloadContext } from './workloads/params.js';
import { seedBuild } from './workloads/seed-build.js';

/**
 * Steps in run order: latency first (fresh daemons), idle memory after them, the fleet last.
 * Interleaved steps run in rounds that alternate the engines' order, so the load of a shared
 * host drifting during a step weighs on every engine alike.
 */
const STEPS: Array<{ name: string; ids: string[]; run: Workload; interleave?: boolean }> = [
  { name: 'run', ids: ['run-docker'], run: runTrueDocker, interleave: true },
  { name: 'run-skiff-cli', ids: ['run-skiff-cli'], run: runTrueSkiffCli, interleave: true },
  { name: 'exec', ids: ['exec'], run: execTrue, interleave: true },
  { name: 'idle-rss', ids: ['idle-rss'], run: idleRss },
  { name: 'concurrent', ids: ['concurrent-run'], run: concurrentRuns, interleave: true },
  { name: 'build', ids: ['build-cold', 'build-cached'], run: seedBuild, interleave: true },
  { name: 'import', ids: ['import'], run: importRootfs },
  { name: 'commit', ids: ['commit'], run: commitChanges },
  { name: 'push-pull', ids: ['push', 'pull'], run: pushPull },
  { name: 'fleet', ids: ['fleet-start', 'fleet-start-each', 'monitor-rss', 'monitor-pss'], run: fleet },
];

interface Options {
  quick: boolean;
  only: string[] | undefined;
  dockerd: boolean;
  out: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: undefined, dockerd: true, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--no-dockerd') o.dockerd = false;
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') o.out = argv[++i];
    else throw new Error(`unknown argument ${a}; usage: suite.js [--quick] [--only ${STEPS.map((s) => s.name).join(',')}] [--no-dockerd] [--out DIR]`);
  }
  const unknown = (o.only ?? []).filter((n) => !STEPS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown step(s) ${unknown.join(', ')}; steps: ${STEPS.map((s) => s.name).join(', ')}`);
  return o;
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark suite needs root (it starts daemons and containers)');
  if (dockerBinary() === undefined) throw new Error('the suite drives every engine with the docker CLI, which is not installed');
  const params = paramsFor(opts.quick);
  const startedAt = new Date();
  const report: Report = {
    mode: opts.quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    host: { cpus: cpus().length, kernel: release(), memTotalMiB: Math.round(totalmem() / 2 ** 20), loadStart: loadavg(), loadEnd: [] },
    engines: [],
    workloads: catalog(params),
    measurements: [],
    failures: [],
    notes: [
      'Every engine is driven by the same docker CLI (28.x) and every container runs with --network none (the private dockerd has no bridge so that it never touches the shared firewall).',
      `Both daemons are up for the whole run. Latency and build workloads run in ${params.rounds} round(s) alternating which engine goes first; the others run skiff first.`,
      'Builds use the legacy builder (DOCKER_BUILDKIT=0) on both engines.',
    ],
  };
  const work = mkdtempSync('/tmp/skb-suite-');
  const busybox = await busyboxTarball();
  let big: Promise<string> | undefined;
  const ctx: WorkloadContext = { params, work, busybox, bigRootfs: () => (big ??= makeBigRootfs(busybox, join(work, 'big'), params.rootfsMiB)) };

  const engines: BenchEngine[] = [];
  const stopAll = async () => {
    for (const e of engines.splice(0)) {
      await e.stop().catch((err: unknown) => report.failures.push({ workload: 'teardown', engine: e.name, error: errText(err) }));
    }
    rmSync(work, { recursive: true, force: true });
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted: stopping the engines');
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    log(`${report.mode} run; starting skiffd`);
    const skiff = await startSkiff(busybox);
    engines.push(skiff);
    report.engines.push({ name: 'skiff', present: true, version: skiff.version, note: 'private skiffd (test harness: own data/exec roots under /tmp)' });
    report.engines.push(await dockerdInfo(opts, engines));
    report.engines.push(podmanInstalled()
      ? { name: 'podman', present: false, note: 'installed, but this suite does not drive podman yet' }
      : { name: 'podman', present: false, note: 'not installed' });

    for (const step of STEPS) {
      if (opts.only !== undefined && !opts.only.includes(step.name)) continue;
      const rounds = step.interleave === true ? params.rounds : 1;
      const parts: Measurement[] = [];
      const failed = new Set<string>();
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? engines : [...engines].reverse();
        const roundCtx = step.interleave === true ? { ...ctx, params: roundParams(params, r) } : ctx;
        for (const e of order) {
          if (interrupted) return 130;
          if (failed.has(e.name)) continue;
          log(`${step.name} on ${e.name}${rounds > 1 ? ` (round ${r + 1} of ${rounds})` : ''}`);
          try {
            parts.push(...(await step.run(e, roundCtx)));
          } catch (err) {
            log(`  FAILED: ${errText(err)}`);
            failed.add(e.name);
            for (const id of step.ids) report.failures.push({ workload: id, engine: e.name, error: errText(err) });
          }
        }
      }
      // An engine that failed part-way gets no figure: a partial one would pass for a result.
      const merged = mergeMeasurements(parts).filter((m) => !failed.has(m.engine));
      report.measurements.push(...merged);
      for (const m of merged) log(`  ${m.workload} ${m.engine}: median ${formatValue(m.median, m.unit)} (p10 ${formatValue(m.p10, m.unit)}, p90 ${formatValue(m.p90, m.unit)}, n=${m.samples.length})`);
    }
  } finally {
    if (!interrupted) await stopAll();
  }
  if (opts.only !== undefined) report.workloads = report.workloads.filter((w) => STEPS.some((s) => opts.only?.includes(s.name) && s.ids.includes(w.id)));
  report.finishedAt = new Date().toISOString();
  report.host.loadEnd = loadavg();

  const out = opts.out ?? join(repoRoot(), 'bench', 'results', startedAt.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(out, { recursive: true });
  const md = renderMarkdown(report);
  writeFileSync(join(out, 'results.md'), md);
  writeFileSync(join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(out, 'plot.svg'), renderSvg(report, plotPanels()));
  process.stdout.write(md);
  log(`wrote ${out}/{results.md,results.json,plot.svg}`);
  return report.failures.length > 0 ? 1 : 0;
}

/** Starts the private dockerd unless told not to; a start failure is reported, not fatal. */
async function dockerdInfo(opts: Options, engines: BenchEngine[]): Promise<EngineInfo> {
  if (!opts.dockerd) return { name: 'dockerd', present: false, note: 'skipped (--no-dockerd)' };
  log('starting a private dockerd');
  try {
    const d = await startDockerd();
    if (d === undefined) return { name: 'dockerd', present: false, note: 'not installed (apt-get install docker.io to compare)' };
    engines.push(d);
    return { name: 'dockerd', present: true, version: d.version, note: 'private dockerd + its containerd, own roots under /tmp, --bridge=none --iptables=false --ip6tables=false' };
  } catch (err) {
    return { name: 'dockerd', present: false, note: `did not start: ${errText(err).slice(0, 300)}` };
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
