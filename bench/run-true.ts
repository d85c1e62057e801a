// Container start-up latency: `docker run --rm busybox true` against skiffd, and against a
// private dockerd when Debian's docker.io is installed. Prints median and p90 and the ratio.
//   npm run bench -- [--runs N]        (root; BENCH_RUNS=N works too)
// The comparison dockerd has no bridge (it stays off the shared host's firewall), so every
// container here runs with --network none on both engines.
import { join } from 'node:path';
import { busyboxTarball, dockerBinary, repoRoot } from '../test/e2e/fixtures.js';
import { type Daemon, startDaemon } from '../test/e2e/harness.js';
import { runsWanted, startPrivateDockerd, timeRuns } from './exec-dockerd.js';

const RUN_TRUE = ['run', '--rm', '--network', 'none', 'busybox', 'true'];

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  const runs = runsWanted(20);
  const docker = dockerBinary();
  const tarball = await busyboxTarball();

  let skiffd: Daemon | undefined;
  let skiffMedian = NaN;
  let failure: unknown;
  try {
    skiffd = await startDaemon();
    const imp = await skiffd.skiff(['import', tarball, 'busybox']);
    if (imp.code !== 0) throw new Error(`import into skiffd failed: ${imp.stderr}`);
    const env = { ...process.env, ...skiffd.env };
    if (docker !== undefined) {
      skiffMedian = (await timeRuns('docker CLI -> skiffd', docker, RUN_TRUE, env, runs)).median;
    }
    const viaSkiff = await timeRuns(
      'skiff CLI -> skiffd',
      process.execPath,
      [join(repoRoot(), 'bin', 'skiff'), ...RUN_TRUE],
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
  if (failure !== undefined) throw failure;

  const d = await startPrivateDockerd();
  if (d === undefined) return;
  try {
    const viaDocker = await timeRuns('docker CLI -> dockerd', d.docker, RUN_TRUE, d.env, runs);
    console.log(`ratio skiffd / dockerd (median): ${(skiffMedian / viaDocker.median).toFixed(2)}`);
  } finally {
    await d.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
