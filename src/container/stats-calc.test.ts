import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockIo, cpuPercent, memPercent, memUsageNoCache, networkIo, statsFigures } from './stats-calc.js';
import { emptyStats, zeroCpuStats, type CpuStatsJson } from './stats-response.js';

const cpu = (total: number, system: number, online = 2): CpuStatsJson => ({
  ...zeroCpuStats(),
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  system_cpu_usage: system,
  online_cpus: online,
});

test('cpu percent is the container share of the host delta times the cpu count', () => {
  // 0.5 s of container CPU over 2 s of host CPU time (1 s wall on 2 CPUs) = 50% of one CPU.
  assert.equal(cpuPercent({ precpu_stats: cpu(1e9, 10e9), cpu_stats: cpu(1.5e9, 12e9) }), 50);
});

test('cpu percent is 0 when either delta is not positive', () => {
  assert.equal(cpuPercent({ precpu_stats: cpu(1e9, 10e9), cpu_stats: cpu(1e9, 12e9) }), 0);
  assert.equal(cpuPercent({ precpu_stats: cpu(1e9, 10e9), cpu_stats: cpu(2e9, 10e9) }), 0);
});

test('cpu percent falls back to the per-cpu list length when online_cpus is missing', () => {
  const now: CpuStatsJson = { ...cpu(3e9, 12e9, 0), cpu_usage: { total_usage: 3e9, percpu_usage: [1, 2, 3, 4], usage_in_kernelmode: 0, usage_in_usermode: 0 } };
  delete now.online_cpus;
  assert.equal(cpuPercent({ precpu_stats: cpu(1e9, 10e9), cpu_stats: now }), 400);
});

test('memory usage without cache subtracts total_inactive_file on cgroup v1', () => {
  assert.equal(memUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
});

test('memory usage without cache subtracts inactive_file on cgroup v2', () => {
  assert.equal(memUsageNoCache({ usage: 1000, stats: { inactive_file: 100 } }), 900);
});

test('memory usage without cache keeps usage when the cache exceeds it', () => {
  assert.equal(memUsageNoCache({ usage: 100, stats: { total_inactive_file: 300 } }), 100);
  assert.equal(memUsageNoCache({}), 0);
});

test('memory percent is 0 without a limit', () => {
  assert.equal(memPercent(0, 10), 0);
  assert.equal(memPercent(200, 50), 25);
});

test('block io sums read and write ops of any case and ignores the rest', () => {
  const e = (op: string, value: number) => ({ major: 8, minor: 0, op, value });
  assert.deepEqual(blockIo([e('Read', 1), e('read', 2), e('Write', 4), e('Total', 100), e('Sync', 8), e('', 16)]), { read: 3, write: 4 });
  assert.deepEqual(blockIo(null), { read: 0, write: 0 });
});

test('network io sums all interfaces', () => {
  const n = (rx: number, tx: number) => ({ rx_bytes: rx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: tx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 });
  assert.deepEqual(networkIo({ eth0: n(1, 2), eth1: n(10, 20) }), { rx: 11, tx: 22 });
});

test('stats figures of an empty object are all zero', () => {
  const f = statsFigures(emptyStats('web', 'abc'));
  assert.equal(f.name, '/web');
  assert.equal(f.memory + f.memoryLimit + f.cpuPercent + f.pids + f.netRx + f.blockRead, 0);
});
