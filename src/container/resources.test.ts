import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostOptions } from './container-record.js';
import { parseCpuList, emptyHostResources, validateResources, resourceLimits, withDefaultSwap, type ResourceSettings } from './resources.js';
import { planResourceUpdate } from './resources-update.js';
import { parseIsolationHostConfig } from './resources-wire.js';
import { buildRuntimeSpec } from './runtime-spec.js';

const MiB = 1024 * 1024;
const base = (): ResourceSettings => ({ ...emptyHostResources(), memory: 0, nanoCpus: 0, cpuShares: 0, pidsLimit: 0 });
const host = { cpus: 2 };

test('resource validation uses dockerd messages', () => {
  validateResources(base(), host);
  assert.throws(() => validateResources({ ...base(), memory: 4 * MiB }, host), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => validateResources({ ...base(), memory: 64 * MiB, memorySwap: 32 * MiB }, host), /memoryswap limit should be larger/);
  assert.throws(() => validateResources({ ...base(), memorySwap: 32 * MiB }, host), /always set the Memory limit/);
  assert.throws(() => validateResources({ ...base(), memory: 16 * MiB, memoryReservation: 32 * MiB }, host), /memory reservation limit/);
  assert.throws(() => validateResources({ ...base(), nanoCpus: 3e9 }, host), /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/);
  assert.throws(() => validateResources({ ...base(), nanoCpus: 1e9, cpuQuota: 50000 }, host), /Nano CPUs and CPU Quota/);
  assert.throws(() => validateResources({ ...base(), cpuPeriod: 500 }, host), /CPU cfs period/);
  assert.throws(() => validateResources({ ...base(), cpusetCpus: '0-5' }, host), /Requested CPUs are not available - requested 0-5, available: 0-1/);
  assert.throws(() => validateResources({ ...base(), cpusetCpus: 'x' }, host), /Invalid value x for cpuset cpus/);
  assert.throws(() => validateResources({ ...base(), blkioWeight: 5 }, host), /Range of blkio weight is from 10 to 1000/);
  assert.throws(() => validateResources({ ...base(), memorySwappiness: 101 }, host), /valid memory swappiness range is 0-100/);
});

test('cpu lists expand ranges and reject garbage', () => {
  assert.deepEqual(parseCpuList('0-2,4'), [0, 1, 2, 4]);
  assert.equal(parseCpuList('2-1'), undefined);
  assert.equal(parseCpuList('a'), undefined);
});

test('a memory limit without swap gets as much swap again, as in dockerd', () => {
  assert.equal(withDefaultSwap({ memory: 32 * MiB, memorySwap: 0 }).memorySwap, 64 * MiB);
  assert.equal(withDefaultSwap({ memory: 32 * MiB, memorySwap: -1 }).memorySwap, -1);
  assert.equal(withDefaultSwap({ memory: 0, memorySwap: 0 }).memorySwap, 0);
});

test('resource limits reach the runtime spec, with throttled devices by major:minor', () => {
  const limits = resourceLimits(
    { ...base(), memory: 32 * MiB, memorySwap: 64 * MiB, oomKillDisable: true, nanoCpus: 5e8, pidsLimit: 20, blkioWeight: 300, deviceReadBps: [{ path: '/dev/sda', rate: 1048576 }] },
    () => ({ major: 8, minor: 0 }),
  );
  const spec = buildRuntimeSpec({
    id: 'x', hostname: 'h', rootfsPath: '/r', args: ['true'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, tty: false,
    capabilities: [], etcFiles: {}, namespaces: { network: { kind: 'new' }, pid: { kind: 'new' }, ipc: { kind: 'new' }, uts: { kind: 'new' }, cgroupns: 'host' },
    resources: limits,
  });
  const r = spec.linux.resources;
  assert.deepEqual(r?.memory, { limit: 32 * MiB, swap: 64 * MiB, disableOOMKiller: true });
  assert.deepEqual(r?.cpu, { period: 100000, quota: 50000 });
  assert.deepEqual(r?.pids, { limit: 20 });
  assert.deepEqual(r?.blockIO, { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] });
});

test('create bodies are parsed into isolation options and echoed defaults', () => {
  const o = parseIsolationHostConfig({
    Memory: 32 * MiB, MemorySwappiness: -1, CpuQuota: 20000, CpuPeriod: 100000, SecurityOpt: ['no-new-privileges'],
    GroupAdd: ['10'], Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rw' }], MaskedPaths: [], ReadonlyPaths: null,
  });
  assert.equal(o.resources.memorySwap, 64 * MiB);
  assert.equal(o.resources.cpuQuota, 20000);
  assert.deepEqual(o.devices, [{ pathOnHost: '/dev/null', pathInContainer: '/dev/x', cgroupPermissions: 'rw' }]);
  assert.deepEqual(o.maskedPaths, []);
  assert.equal(o.readonlyPaths, undefined);
  assert.throws(() => parseIsolationHostConfig({ SecurityOpt: ['nope'] }), /invalid --security-opt/);
  assert.throws(() => parseIsolationHostConfig({ Sysctls: { 'kernel.panic': '1' } }), /is not allowed/);
  assert.throws(() => parseIsolationHostConfig({ UsernsMode: 'weird' }), /invalid USER mode/);
  assert.equal(parseIsolationHostConfig({ UsernsMode: 'auto' }).usernsMode, 'auto');
  assert.throws(() => parseIsolationHostConfig({ UsernsMode: 'auto:size=10' }), /options of "auto" are not supported/);
});

test('docker update merges sent fields, keeps the rest and refuses what it cannot change', () => {
  const h = { memory: 32 * MiB, nanoCpus: 0, cpuShares: 0, pidsLimit: 20, resources: { ...emptyHostResources(), memorySwap: 64 * MiB } } as HostOptions;
  const plan = planResourceUpdate(h, { Memory: 48 * MiB, MemorySwap: 0, CpuShares: 0, PidsLimit: null, RestartPolicy: { Name: '' } }, 2);
  assert.equal(plan.changed, true);
  assert.equal(plan.host.memory, 48 * MiB);
  assert.equal(plan.host.pidsLimit, 20);
  assert.deepEqual(plan.runtime.memory, { limit: 48 * MiB, swap: 64 * MiB });
  assert.equal(planResourceUpdate(h, { Memory: 0, RestartPolicy: { Name: 'always' } }, 2).changed, false);
  assert.throws(() => planResourceUpdate(h, { Memory: 128 * MiB }, 2), /update the memoryswap at the same time/);
  assert.throws(() => planResourceUpdate(h, { Devices: [{ PathOnHost: '/dev/sda' }] }, 2), /updating Devices is not supported/);
  const cpus = planResourceUpdate({ ...h, resources: { ...emptyHostResources(), cpuQuota: 20000 } } as HostOptions, { NanoCpus: 5e8 }, 2);
  assert.equal(cpus.host.resources?.cpuQuota, 0);
  assert.deepEqual(cpus.runtime.cpu, { period: 100000, quota: 50000 });
});
