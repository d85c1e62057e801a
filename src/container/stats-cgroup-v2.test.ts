import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsFromV2, parseIoStat } from './stats-cgroup-v2.js';
import { maxUint64 } from './stats-metrics.js';

const files = new Map([
  ['cpu.stat', 'usage_usec 2500\nuser_usec 1500\nsystem_usec 1000\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n'],
  ['memory.current', '6291456\n'],
  ['memory.max', 'max\n'],
  ['memory.stat', 'anon 5242880\nfile 1048576\ninactive_file 524288\nactive_file 524288\nworkingset_refault_anon 0\n'],
  ['memory.events', 'low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n'],
  ['pids.current', '3\n'],
  ['pids.max', '100\n'],
  ['io.stat', '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=10 wbytes=0 rios=1 wios=0\n'],
]);

test('cgroup v2 metrics turn microseconds into nanoseconds and have no per-CPU usage', () => {
  assert.deepEqual(metricsFromV2(files).cpu, {
    total: 2_500_000,
    kernel: 1_000_000,
    user: 1_500_000,
    throttling: { periods: 4, throttledPeriods: 1, throttledTime: 20_000 },
  });
});

test('cgroup v2 memory reads memory.current, "max" as no limit and the oom count as failcnt', () => {
  const mem = metricsFromV2(files).memory;
  assert.ok(mem);
  assert.equal(mem.usage, 6291456);
  assert.equal(mem.limit, maxUint64);
  assert.equal(mem.failcnt, 2);
  assert.equal(mem.stats['inactive_file'], 524288);
  assert.equal(mem.stats['anon'], 5242880);
  assert.equal(mem.stats['pgscan'], 0);
  assert.equal('workingset_refault_anon' in mem.stats, false);
});

test('cgroup v2 pids keep a numeric pids.max', () => {
  assert.deepEqual(metricsFromV2(files).pids, { current: 3, limit: 100 });
});

test('cgroup v2 io.stat becomes read and write byte entries per device', () => {
  assert.deepEqual(parseIoStat(files.get('io.stat')), [
    { major: 8, minor: 0, op: 'read', value: 4096 },
    { major: 8, minor: 0, op: 'write', value: 8192 },
    { major: 253, minor: 1, op: 'read', value: 10 },
    { major: 253, minor: 1, op: 'write', value: 0 },
  ]);
  assert.deepEqual(metricsFromV2(new Map([['io.stat', '']])).blkio, {});
});
