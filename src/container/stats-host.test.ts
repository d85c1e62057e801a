import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMemTotal, parseNetDev, parseProcStat } from './stats-host.js';

test('proc stat system usage sums the first seven cpu fields as nanoseconds and counts cpus', () => {
  const text = 'cpu  100 1 50 1000 9 2 3 7 0 0\ncpu0 50 0 25 500 4 1 1 3 0 0\ncpu1 50 1 25 500 5 1 2 4 0 0\nintr 123\n';
  assert.deepEqual(parseProcStat(text), { systemUsage: (100 + 1 + 50 + 1000 + 9 + 2 + 3) * 10_000_000, onlineCpus: 2 });
});

test('proc stat with a short cpu line is refused', () => {
  assert.throws(() => parseProcStat('cpu 1 2 3\n'), /invalid number of cpu fields/);
});

test('net dev counters are read per interface without loopback', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    1296      16    1    2    0     0          0         0      796      10    3    4    0     0       0          0
`;
  const nets = parseNetDev(text);
  assert.deepEqual([...nets.keys()], ['eth0']);
  assert.deepEqual(nets.get('eth0'), {
    rxBytes: 1296, rxPackets: 16, rxErrors: 1, rxDropped: 2, txBytes: 796, txPackets: 10, txErrors: 3, txDropped: 4,
  });
});

test('meminfo total is converted from kB to bytes', () => {
  assert.equal(parseMemTotal('MemTotal:       24683620 kB\nMemFree: 1 kB\n'), 24683620 * 1024);
  assert.equal(parseMemTotal(''), 0);
});
