// `docker exec CID true` latency: the real docker CLI against skiffd, and against a private
// dockerd when Debian's docker.io is installed. Prints median, p90 and the ratio.
//   npm run bench:exec -- [--runs N]        (root; BENCH_RUNS=N works too)
import { busyboxTarball, dockerBinary } from '../test/e2e/fixtures.js';
import { type Daemon, startDaemon } from '../test/e2e/harness.js';
import { runCommand } from '../test/e2e/run-command.js';
import { runsWanted, startPrivateDockerd, timeRuns, type Stats } from './exec-dockerd.js';

async function measure(label: string, docker: string, env: NodeJS.ProcessEnv, runs: number): Promise<Stats> {
  const r = await runCommand(docker, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'], { env });
  if (r.code !== 0) throw new Error(`${label}: run failed: ${r.stderr}`);
  const id = r.stdout.trim();
  return timeRuns(label, docker, ['exec', id, 'true'], env, runs);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root');
  const docker = dockerBinary();
  if (docker === undefined) throw new Error('the benchmark drives the docker CLI; install docker.io (the CLI)');
  const runs = runsWanted(20);
  let skiffd: Daemon | undefined;
  let skiff: Stats;
  try {
    skiffd = await startDaemon();
    const imp = await skiffd.docker(['import', await busyboxTarball(), 'busybox']);
    if (imp.code !== 0) throw new Error(`import into skiffd failed: ${imp.stderr}`);
    skiff = await measure('docker exec true -> skiffd', docker, { ...process.env, ...skiffd.env }, runs);
  } finally {
    await skiffd?.stop();
  }
  const d = await startPrivateDockerd();
  if (!d) return;
  try {
    const theirs = await measure('docker exec true -> dockerd', docker, d.env, runs);
    console.log(`ratio skiffd / dockerd (median): ${(skiff.median / theirs.median).toFixed(2)}`);
  } finally {
    await d.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
