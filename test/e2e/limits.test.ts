// A container cannot take the host down: memory, pids and CPU limits hold (measured from the
// cgroups), `docker update` changes them live, and the API socket is not open to everyone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cgroupDir, parseCgroupLayout } from '../../src/sys/cgroup-layout.js';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot, repoRoot, withNodeOnPath } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;
const MiB = 1024 * 1024;
const layout = parseCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'));

/** A cgroup file of a container (v1: in the controller's hierarchy; v2: the one tree). */
function cgroupFile(id: string, v1: [string, string], v2: string): string {
  const dir = cgroupDir(layout, layout.version === 1 ? v1[0] : '', `/skiff/${id}`);
  assert.ok(dir, `no cgroup hierarchy for ${v1[0]}`);
  return join(dir, layout.version === 1 ? v1[1] : v2);
}

/** CPU time the container used so far, in seconds. */
function cpuSeconds(id: string): number {
  if (layout.version === 1) return Number(readFileSync(cgroupFile(id, ['cpuacct', 'cpuacct.usage'], ''), 'utf8')) / 1e9;
  const stat = readFileSync(cgroupFile(id, ['', ''], 'cpu.stat'), 'utf8');
  return Number(/^usage_usec (\d+)/m.exec(stat)?.[1]) / 1e6;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('limits: a container cannot take the host down', { skip, timeout: 300_000 }, () => {
  let d: Daemon;

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('--memory 32m: allocating 64 MiB is OOM-killed, inspect shows OOMKilled and 137', async () => {
    const r = await d.docker(['run', '--name', 'oom', '--memory', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived']);
    assert.equal(r.code, 137, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stdout, /survived/);
    const state = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .State}}', 'oom']), 'inspect')) as { OOMKilled: boolean; ExitCode: number };
    assert.equal(state.ExitCode, 137);
    assert.equal(state.OOMKilled, true);
    // A start clears it again, as in Docker.
    const id = ok(await d.docker(['run', '-d', '--memory', '32m', 'busybox', 'true']), 'run').trim();
    ok(await d.docker(['wait', id]), 'wait');
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.OOMKilled}}', id]), 'inspect').trim(), 'false');
  });

  it('--pids-limit 20 stops a fork loop at 20 and the host stays healthy', async () => {
    const id = ok(
      // The loop runs in a subshell: a shell that cannot fork exits, and pid 1 must outlive it.
      await d.docker(['run', '-d', '--pids-limit', '20', 'busybox', 'sh', '-c', '(i=0; while [ $i -lt 100 ]; do sleep 60 & i=$((i+1)); done); exec sleep 60']),
      'run',
    ).trim();
    await sleep(1500);
    const max = readFileSync(cgroupFile(id, ['pids', 'pids.max'], 'pids.max'), 'utf8').trim();
    const current = Number(readFileSync(cgroupFile(id, ['pids', 'pids.current'], 'pids.current'), 'utf8'));
    assert.equal(max, '20');
    assert.ok(current <= 20 && current >= 15, `pids.current ${current}`);
    assert.match(ok(await d.docker(['logs', id]), 'logs') + (await d.docker(['logs', id])).stderr, /can't fork/);
    ok(await d.docker(['rm', '-f', id]), 'rm');
    // The host can still start processes and containers.
    ok(await d.docker(['run', '--rm', 'busybox', 'true']), 'run after the fork loop');
  });

  it('--cpus 0.5 holds a busy loop near half a core over 3 s', async () => {
    const id = ok(await d.docker(['run', '-d', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done']), 'run').trim();
    await sleep(500); // let it reach steady state
    const t0 = performance.now();
    const c0 = cpuSeconds(id);
    await sleep(3000);
    const used = (cpuSeconds(id) - c0) / ((performance.now() - t0) / 1000);
    ok(await d.docker(['rm', '-f', id]), 'rm');
    assert.ok(used > 0.35 && used < 0.6, `used ${used.toFixed(2)} cores, expected about 0.5`);
  });

  it('docker update --memory changes the limit of a running container', async () => {
    const id = ok(await d.docker(['run', '-d', '--memory', '32m', 'busybox', 'sleep', '60']), 'run').trim();
    const limitFile = cgroupFile(id, ['memory', 'memory.limit_in_bytes'], 'memory.max');
    assert.equal(Number(readFileSync(limitFile, 'utf8')), 32 * MiB);
    ok(await d.docker(['update', '--memory', '48m', id]), 'update');
    assert.equal(Number(readFileSync(limitFile, 'utf8')), 48 * MiB);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.HostConfig.Memory}}', id]), 'inspect').trim(), String(48 * MiB));
    // Above the swap limit set at create (2 × 32m) it needs --memory-swap, as in Docker.
    const bad = await d.docker(['update', '--memory', '100m', id]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /update the memoryswap at the same time/);
    ok(await d.docker(['update', '--memory', '100m', '--memory-swap', '200m', id]), 'update with swap');
    assert.equal(Number(readFileSync(limitFile, 'utf8')), 100 * MiB);
    ok(await d.docker(['update', '--pids-limit', '50', '--cpus', '0.25', id]), 'update pids and cpus');
    assert.equal(readFileSync(cgroupFile(id, ['pids', 'pids.max'], 'pids.max'), 'utf8').trim(), '50');
    ok(await d.docker(['rm', '-f', id]), 'rm');
  });

  it('a non-root user on the host cannot use the socket', async () => {
    const r = spawnSync(dockerBinary() ?? 'docker', ['version', '--format', '{{.Server.Version}}'], {
      env: { PATH: process.env.PATH, HOME: '/tmp', DOCKER_HOST: d.env.DOCKER_HOST, DOCKER_CONFIG: '/tmp/skiff-nobody-docker-config' },
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /permission denied/);
    const st = statSync(d.socket);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, 0);
  });

  it('a TCP listener without TLS is refused at start-up', async () => {
    const r = await runCommand(join(repoRoot(), 'bin', 'skiffd'), ['--data-root', '/tmp/skiff-no-tcp', '-H', 'tcp://127.0.0.1:23750'], { env: withNodeOnPath() });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing to listen on tcp:\/\/127\.0\.0\.1:23750 without TLS/);
  });
});
