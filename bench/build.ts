// Build speed of the seed app (FROM busybox, WORKDIR /app, ADD . /app, EXPOSE 80, ENV NAME
// World, CMD): a cold build (--no-cache) and a cached rebuild of the unchanged context, each
// timed as the whole `docker build` (the real docker CLI, legacy builder) and as the bare
// POST /build (no CLI start-up), against skiffd and, when Debian's docker.io is installed,
// against a private dockerd (no bridge, no iptables). Prints medians and skiff/dockerd ratios.
//   npm run bench:build -- [--runs N]        (root; BENCH_RUNS=N works too)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { busyboxTarball, dockerBinary } from '../test/e2e/fixtures.js';
import { startDaemon } from '../test/e2e/harness.js';
import { packTar } from '../test/e2e/hostile-tars.js';
import { startPrivateDockerd } from '../test/e2e/private-dockerd.js';
import type { CommandOptions, CommandResult } from '../test/e2e/run-command.js';

import { SEED_FILES as FILES } from './workloads/seed-build.js';

function runsWanted(): number {
  const i = process.argv.indexOf('--runs');
  const raw = i >= 0 ? process.argv[i + 1] : process.env['BENCH_RUNS'];
  const n = raw === undefined ? 5 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad run count ${raw}`);
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** POST /build with the context tar; resolves when the stream ends, rejects on an errorDetail. */
function apiBuild(socket: string, tar: Buffer, query: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: `/v1.41/build?${query}`, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 && !body.includes('errorDetail') ? resolve() : reject(new Error(`build failed: ${res.statusCode} ${body.slice(-500)}`))));
    });
    req.on('error', reject);
    req.end(tar);
  });
}

type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

interface Figures {
  cliCold: number;
  cliCached: number;
  apiCold: number;
  apiCached: number;
}

async function measure(label: string, cli: Cli, socket: string, dir: string, tar: Buffer, runs: number): Promise<Figures> {
  const build = async (...args: string[]) => {
    const r = await cli(['build', '-q', ...args, '-t', 'seed', '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`${label}: build exited ${r.code}: ${r.stderr}`);
  };
  await build(); // warm-up: fills the cache, pages in the base image
  const f: Record<keyof Figures, number[]> = { cliCold: [], cliCached: [], apiCold: [], apiCached: [] };
  for (let i = 0; i < runs; i++) {
    f.cliCold.push(await timed(() => build('--no-cache')));
    f.cliCached.push(await timed(() => build()));
    f.apiCold.push(await timed(() => apiBuild(socket, tar, 'nocache=1&t=seed&rm=1')));
    f.apiCached.push(await timed(() => apiBuild(socket, tar, 't=seed&rm=1')));
  }
  const out: Figures = { cliCold: median(f.cliCold), cliCached: median(f.cliCached), apiCold: median(f.apiCold), apiCached: median(f.apiCached) };
  console.log(
    `${label.padEnd(8)} docker build: cold ${out.cliCold.toFixed(0).padStart(5)} ms, cached ${out.cliCached.toFixed(0).padStart(5)} ms | ` +
      `POST /build: cold ${out.apiCold.toFixed(0).padStart(5)} ms, cached ${out.apiCached.toFixed(1).padStart(6)} ms   (median of ${runs})`,
  );
  return out;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:build needs root (it starts skiffd)');
  if (!dockerBinary()) throw new Error('bench:build drives the builds with the docker CLI, which is not installed');
  const runs = runsWanted();
  const dir = mkdtempSync('/tmp/skiff-bench-build-');
  for (const [n, c] of Object.entries(FILES)) writeFileSync(join(dir, n), c);
  const tar = await packTar(Object.entries(FILES).map(([name, content]) => ({ name, type: 'file' as const, content })));
  const skiffd = await startDaemon();
  try {
    const imp = await skiffd.docker(['import', await busyboxTarball(), 'busybox']);
    if (imp.code !== 0) throw new Error(`import: ${imp.stderr}`);
    const mine = await measure('skiffd', skiffd.docker, skiffd.socket, dir, tar, runs);
    const dd = await startPrivateDockerd();
    if (!dd) {
      console.log('dockerd is not installed: no ratios');
      return;
    }
    try {
      const theirs = await measure('dockerd', dd.docker, dd.socket, dir, tar, runs);
      const r = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
      console.log(`skiffd/dockerd  docker build: cold ${r(mine.cliCold, theirs.cliCold)}, cached ${r(mine.cliCached, theirs.cliCached)} | POST /build: cold ${r(mine.apiCold, theirs.apiCold)}, cached ${r(mine.apiCached, theirs.apiCached)}   (below 1 = skiff faster)`);
    } finally {
      await dd.stop();
    }
  } finally {
    await skiffd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
