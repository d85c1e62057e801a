import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroTime } from './container-record.js';
import { emptyStats, statsResponse, type StatsSample } from './stats-response.js';
import { maxUint64 } from './stats-metrics.js';

const sample = (over: Partial<StatsSample> = {}): StatsSample => ({
  read: '2026-01-01T00:00:01.5Z',
  metrics: {
    cpu: { total: 2000, perCpu: [1500, 500], kernel: 10, user: 20, throttling: { periods: 0, throttledPeriods: 0, throttledTime: 0 } },
    memory: { usage: 4096, maxUsage: 0, failcnt: 0, limit: maxUint64, stats: { rss: 1, cache: 2 } },
    pids: { current: 2, limit: 0 },
    blkio: { serviceBytes: [{ major: 8, minor: 0, op: 'read', value: 5 }] },
  },
  system: { systemUsage: 9_000_000, onlineCpus: 2 },
  networks: new Map([['eth0', { rxBytes: 1, rxPackets: 2, rxErrors: 0, rxDropped: 0, txBytes: 3, txPackets: 4, txErrors: 0, txDropped: 0 }]]),
  machineMemory: 1_000_000,
  ...over,
});

test('stats response clamps an unlimited memory limit to host memory and drops zero fields like omitempty', () => {
  const s = statsResponse('web', 'abc', sample());
  assert.equal(s.name, '/web');
  assert.deepEqual(s.memory_stats, { usage: 4096, stats: { cache: 2, rss: 1 }, limit: 1_000_000 });
  assert.deepEqual(Object.keys(s.memory_stats.stats ?? {}), ['cache', 'rss']);
  assert.deepEqual(s.pids_stats, { current: 2 });
  assert.equal(s.num_procs, 0);
});

test('stats response writes cpu_stats in Go field order with the host cpu figures', () => {
  const s = statsResponse('web', 'abc', sample());
  assert.deepEqual(Object.keys(s.cpu_stats), ['cpu_usage', 'system_cpu_usage', 'online_cpus', 'throttling_data']);
  assert.deepEqual(s.cpu_stats.cpu_usage, { total_usage: 2000, percpu_usage: [1500, 500], usage_in_kernelmode: 10, usage_in_usermode: 20 });
  assert.equal(s.cpu_stats.system_cpu_usage, 9_000_000);
});

test('stats response without a previous sample has zero precpu and Go zero preread', () => {
  const s = statsResponse('web', 'abc', sample());
  assert.equal(s.preread, zeroTime);
  assert.equal(s.precpu_stats.cpu_usage.total_usage, 0);
  assert.equal(s.precpu_stats.system_cpu_usage, undefined);
});

test('stats response carries the previous sample as precpu', () => {
  const first = statsResponse('web', 'abc', sample());
  const second = statsResponse('web', 'abc', sample({ read: '2026-01-01T00:00:02.5Z' }), { read: first.read, cpu: first.cpu_stats });
  assert.equal(second.preread, '2026-01-01T00:00:01.5Z');
  assert.deepEqual(second.precpu_stats, first.cpu_stats);
});

test('stats response leaves unknown blkio lists null and omits networks when there are none', () => {
  const s = statsResponse('web', 'abc', sample({ networks: new Map() }));
  assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [{ major: 8, minor: 0, op: 'read', value: 5 }]);
  assert.equal(s.blkio_stats.sectors_recursive, null);
  assert.equal('networks' in s, false);
  assert.deepEqual(statsResponse('web', 'abc', sample()).networks?.['eth0']?.tx_bytes, 3);
});

test('empty stats have name and id, zero times and no figures', () => {
  const e = emptyStats('web', 'abc');
  assert.equal(e.read, zeroTime);
  assert.deepEqual(e.memory_stats, {});
  assert.deepEqual(e.pids_stats, {});
  assert.equal(e.blkio_stats.io_service_bytes_recursive, null);
  assert.deepEqual(e.cpu_stats.cpu_usage, { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 });
  assert.equal(JSON.stringify(e).startsWith('{"name":"/web","id":"abc","read":"0001-01-01T00:00:00Z"'), true);
});
