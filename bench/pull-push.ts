// Push and pull time of a ~210 MiB image (half incompressible, half compressible) through a
// registry, for skiffd and, when DOCKERD_HOST is set, dockerd against the same registry; prints
// the times and the ratios. Needs: a logged-in registry (REGISTRY=127.0.0.1:5000), SKIFF_HOST
// (unix://…) with a `busybox` image, and the docker CLI.
//   node dist/bench/pull-push.js
// The suite (`node dist/bench/suite.js --only push-pull`) does the same with its own daemons and registry.
import { execFileSync } from 'node:child_process';

const registry = process.env['REGISTRY'] ?? '127.0.0.1:5000';
const engines: Array<[string, string]> = [['skiffd', process.env['SKIFF_HOST'] ?? 'unix:///run/skiff/skiff.sock']];
if (process.env['DOCKERD_HOST']) engines.push(['dockerd', process.env['DOCKERD_HOST']]);

function docker(host: string, args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function timed(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const results = new Map<string, { push: number; pull: number }>();
for (const [name, host] of engines) {
  const ref = `${registry}/bench/${name}:${Date.now()}`;
  docker(host, ['rm', '-f', 'bench-mk']);
  docker(host, ['run', '--name', 'bench-mk', 'busybox', 'sh', '-c',
    'head -c 110000000 /dev/urandom > /random.bin; i=0; while [ $i -lt 1200 ]; do seq 1 12000; i=$((i+1)); done > /text.txt']);
  docker(host, ['commit', 'bench-mk', ref]);
  docker(host, ['rm', '-f', 'bench-mk']);
  const push = timed(() => docker(host, ['push', ref]));
  docker(host, ['rmi', ref]);
  const pull = timed(() => docker(host, ['pull', ref]));
  docker(host, ['rmi', ref]);
  results.set(name, { push, pull });
  console.log(`${name}: push ${push.toFixed(2)} s, pull ${pull.toFixed(2)} s`);
}
const s = results.get('skiffd');
const d = results.get('dockerd');
if (s && d) console.log(`ratios (dockerd / skiffd): push ${(d.push / s.push).toFixed(2)}x, pull ${(d.pull / s.pull).toFixed(2)}x`);
else console.log('dockerd not measured (set DOCKERD_HOST to compare)');
