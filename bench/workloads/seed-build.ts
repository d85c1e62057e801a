// The seed app's build (FROM busybox, WORKDIR, ADD, EXPOSE, ENV, CMD): a cold build (--no-cache)
// and a cached rebuild of the unchanged context, each the whole `docker build` with the legacy
// builder (DOCKER_BUILDKIT=0: dockerd 20.10's BuildKit would be a different builder to compare).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchEngine, must } from '../engines.js';
import { summarize, timeMs } from '../report/measurement.js';
import type { Workload } from './params.js';

export const SEED_DOCKERFILE = 'FROM busybox\nWORKDIR /app\nADD . /app\nEXPOSE 80\nENV NAME World\nCMD ["sh", "-c", "echo Hello $NAME; cat /app/app.py"]\n';
export const SEED_FILES: Record<string, string> = {
  Dockerfile: SEED_DOCKERFILE,
  'app.py': 'print("hello")\n'.repeat(20),
  'requirements.txt': 'Flask\nRedis\n',
};

export function writeSeedContext(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(SEED_FILES)) writeFileSync(join(dir, name), content);
}

async function build(e: BenchEngine, dir: string, extra: string[]): Promise<void> {
  await must(e.docker, ['build', '-q', ...extra, '-t', 'seed', '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 300_000 });
}

export const seedBuild: Workload = async (e, { params, work }) => {
  const dir = join(work, `seed-${e.name}`);
  writeSeedContext(dir);
  await build(e, dir, []); // warm-up: pages the base image in and fills the cache
  const cold: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < params.buildRuns; i++) {
    cold.push(await timeMs(() => build(e, dir, ['--no-cache'])));
    cached.push(await timeMs(() => build(e, dir, [])));
  }
  return [summarize('build-cold', e.name, 'ms', cold), summarize('build-cached', e.name, 'ms', cached)];
};
