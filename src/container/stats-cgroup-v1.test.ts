import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsFromV1, parseBlkioV1 } from './stats-cgroup-v1.js';

const memoryStat = `cache 8192
rss 53248
rss_huge 0
shmem 0
mapped_file 4096
inactive_file 1000
hierarchical_memory_limit 9223372036854771712
total_cache 8192
total_rss 53248
total_inactive_file 1000
total_active_anon 4096
`;

const files = new Map([
  ['cpuacct.usage', '50155977\n'],
  ['cpuacct.usage_percpu', '40519706 9636271 \n'],
  ['cpuacct.stat', 'user 1\nsystem 3\n'],
  ['cpu.stat', 'nr_periods 10\nnr_throttled 2\nthrottled_time 12345\nnr_bursts 0\n'],
  ['memory.usage_in_bytes', '630784\n'],
  ['memory.max_usage_in_bytes', '10510336\n'],
  ['memory.failcnt', '0\n'],
  ['memory.limit_in_bytes', '9223372036854771712\n'],
  ['memory.stat', memoryStat],
  ['pids.current', '2\n'],
  ['pids.max', 'max\n'],
  ['blkio.throttle.io_service_bytes_recursive', '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n'],
  ['blkio.throttle.io_serviced_recursive', '8:0 Read 1\n8:0 Write 2\nTotal 3\n'],
]);

test('cgroup v1 metrics read cpuacct in nanoseconds and USER_HZ ticks as nanoseconds', () => {
  const m = metricsFromV1(files);
  assert.deepEqual(m.cpu, {
    total: 50155977,
    perCpu: [40519706, 9636271],
    kernel: 30_000_000,
    user: 10_000_000,
    throttling: { periods: 10, throttledPeriods: 2, throttledTime: 12345 },
  });
});

test('cgroup v1 metrics keep only the memory.stat keys docker reports and zero the missing ones', () => {
  const mem = metricsFromV1(files).memory;
  assert.ok(mem);
  assert.equal(mem.usage, 630784);
  assert.equal(mem.maxUsage, 10510336);
  assert.equal(mem.stats['total_inactive_file'], 1000);
  assert.equal(mem.stats['mapped_file'], 4096);
  assert.equal(mem.stats['dirty'], 0);
  assert.equal('shmem' in mem.stats, false);
  assert.equal(Object.keys(mem.stats).length, 32);
});

test('cgroup v1 pids limit "max" reads as 0 (no limit)', () => {
  assert.deepEqual(metricsFromV1(files).pids, { current: 2, limit: 0 });
});

test('cgroup v1 blkio falls back to the throttle files and leaves the other lists empty', () => {
  const b = metricsFromV1(files).blkio;
  assert.ok(b);
  assert.deepEqual(b.serviceBytes, [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 8192 },
    { major: 8, minor: 0, op: 'Sync', value: 0 },
    { major: 8, minor: 0, op: 'Total', value: 12288 },
  ]);
  assert.equal(b.serviced?.length, 2);
  assert.deepEqual(b.sectors, []);
});

test('cgroup v1 blkio prefers CFQ lists when they hold entries', () => {
  const cfq = new Map(files);
  cfq.set('blkio.io_serviced_recursive', '8:16 Read 7\nTotal 7\n');
  cfq.set('blkio.io_service_bytes_recursive', '8:16 Read 700\n');
  cfq.set('blkio.sectors_recursive', '8:16 42\n');
  const b = metricsFromV1(cfq).blkio;
  assert.deepEqual(b?.serviceBytes, [{ major: 8, minor: 16, op: 'Read', value: 700 }]);
  assert.deepEqual(b?.sectors, [{ major: 8, minor: 16, op: '', value: 42 }]);
});

test('cgroup v1 blkio lines without a device are skipped', () => {
  assert.deepEqual(parseBlkioV1('Total 0\n\n'), []);
});

test('cgroup v1 metrics leave out controllers whose files are missing', () => {
  const m = metricsFromV1(new Map([['pids.current', '1\n']]));
  assert.equal(m.cpu, undefined);
  assert.equal(m.memory, undefined);
  assert.deepEqual(m.pids, { current: 1, limit: 0 });
});
