import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { buildRuntimeSpec, type RuntimeSpecInput } from './runtime-spec.js';
import type { SpecMount } from './runtime-spec-types.js';

function input(over: Partial<RuntimeSpecInput> = {}): RuntimeSpecInput {
  return {
    id: 'abc123',
    hostname: 'abc123',
    rootfsPath: '/var/lib/skiff/containers/abc123/rootfs',
    args: ['/bin/sh', '-c', 'echo hi'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc123'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    capabilities: [...DEFAULT_CAPABILITIES],
    etcFiles: { hostsPath: '/c/hosts', hostnamePath: '/c/hostname', resolvConfPath: '/c/resolv.conf' },
    namespaces: { network: { kind: 'new' }, pid: { kind: 'new' }, ipc: { kind: 'new' }, uts: { kind: 'new' }, cgroupns: 'host' },
    ...over,
  };
}

const byDest = (mounts: SpecMount[], dest: string): SpecMount | undefined => mounts.find((m) => m.destination === dest);

test('buildRuntimeSpec default spec has Docker’s kernel mounts in order then the etc files', () => {
  const spec = buildRuntimeSpec(input());
  assert.equal(spec.ociVersion, '1.0.2');
  assert.deepEqual(spec.mounts, [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: '/c/resolv.conf', options: ['rbind', 'rprivate'] },
    { destination: '/etc/hostname', type: 'bind', source: '/c/hostname', options: ['rbind', 'rprivate'] },
    { destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'rprivate'] },
  ]);
});

test('buildRuntimeSpec process carries args, env, cwd, user and the capability sets', () => {
  const spec = buildRuntimeSpec(input({ user: { uid: 1000, gid: 1000, additionalGids: [10, 50] }, cwd: '/work' }));
  assert.equal(spec.process.rlimits, undefined, 'host rlimits are inherited, never defaulted');
  assert.equal(spec.process.oomScoreAdj, undefined);
  assert.deepEqual(spec.process, {
    terminal: false,
    user: { uid: 1000, gid: 1000, additionalGids: [10, 50] },
    args: ['/bin/sh', '-c', 'echo hi'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc123'],
    cwd: '/work',
    capabilities: {
      bounding: [...DEFAULT_CAPABILITIES],
      effective: [...DEFAULT_CAPABILITIES],
      permitted: [...DEFAULT_CAPABILITIES],
    },
    noNewPrivileges: false,
  });
});

test('buildRuntimeSpec root, hostname and cgroups path', () => {
  const spec = buildRuntimeSpec(input());
  assert.deepEqual(spec.root, { path: '/var/lib/skiff/containers/abc123/rootfs', readonly: false });
  assert.equal(spec.hostname, 'abc123');
  assert.equal(spec.domainname, undefined);
  assert.equal(spec.linux.cgroupsPath, '/skiff/abc123');
  assert.equal(buildRuntimeSpec(input({ cgroupsPath: '/other/x' })).linux.cgroupsPath, '/other/x');
  assert.equal(buildRuntimeSpec(input({ domainname: 'example.com' })).domainname, 'example.com');
});

test('buildRuntimeSpec masks and read-only paths are Docker 28’s', () => {
  const spec = buildRuntimeSpec(input());
  assert.deepEqual(spec.linux.maskedPaths, [
    '/proc/acpi',
    '/proc/asound',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/sys/devices/virtual/powercap',
    '/sys/firmware',
  ]);
  assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
});

test('buildRuntimeSpec appends host-specific masked paths and honours explicit lists', () => {
  const extra = buildRuntimeSpec(input({ extraMaskedPaths: ['/sys/devices/system/cpu/cpu0/thermal_throttle'] }));
  assert.equal(extra.linux.maskedPaths?.at(-1), '/sys/devices/system/cpu/cpu0/thermal_throttle');
  const explicit = buildRuntimeSpec(input({ maskedPaths: ['/proc/kcore'], readonlyPaths: [] }));
  assert.deepEqual(explicit.linux.maskedPaths, ['/proc/kcore']);
  assert.deepEqual(explicit.linux.readonlyPaths, []);
});

test('buildRuntimeSpec device cgroup denies all then allows Docker’s and runc’s defaults', () => {
  const rules = buildRuntimeSpec(input()).linux.resources?.devices;
  assert.deepEqual(rules, [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
    { allow: true, type: 'c', major: 136, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
    { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
  ]);
  assert.equal(buildRuntimeSpec(input()).linux.devices, undefined, 'runc creates the default nodes itself');
});

test('buildRuntimeSpec adds --device nodes and their cgroup rules after the defaults', () => {
  const spec = buildRuntimeSpec(
    input({
      devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }],
      deviceCgroupRules: [{ allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }],
    }),
  );
  assert.deepEqual(spec.linux.devices, [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }]);
  assert.deepEqual(spec.linux.resources?.devices?.at(-1), { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' });
});

test('buildRuntimeSpec namespaces follow Docker’s order', () => {
  assert.deepEqual(buildRuntimeSpec(input()).linux.namespaces, [
    { type: 'mount' },
    { type: 'network' },
    { type: 'uts' },
    { type: 'pid' },
    { type: 'ipc' },
  ]);
  const priv = buildRuntimeSpec(input({ namespaces: { ...input().namespaces, cgroupns: 'private' } }));
  assert.deepEqual(priv.linux.namespaces.at(-1), { type: 'cgroup' });
});

test('buildRuntimeSpec host namespaces are left out and joined ones carry their path', () => {
  const spec = buildRuntimeSpec(
    input({
      namespaces: {
        network: { kind: 'path', path: '/run/skiff/netns/abc' },
        pid: { kind: 'host' },
        ipc: { kind: 'path', path: '/proc/42/ns/ipc' },
        uts: { kind: 'new' },
        cgroupns: 'host',
      },
    }),
  );
  assert.deepEqual(spec.linux.namespaces, [
    { type: 'mount' },
    { type: 'network', path: '/run/skiff/netns/abc' },
    { type: 'uts' },
    { type: 'ipc', path: '/proc/42/ns/ipc' },
  ]);
});

test('buildRuntimeSpec sets no hostname without a private UTS namespace', () => {
  for (const uts of [{ kind: 'host' } as const, { kind: 'path', path: '/proc/1/ns/uts' } as const]) {
    const spec = buildRuntimeSpec(input({ domainname: 'x.y', namespaces: { ...input().namespaces, uts } }));
    assert.equal(spec.hostname, undefined);
    assert.equal(spec.domainname, undefined);
  }
});

test('buildRuntimeSpec tty sets terminal and console size', () => {
  const spec = buildRuntimeSpec(input({ tty: true, consoleSize: { height: 40, width: 120 } }));
  assert.equal(spec.process.terminal, true);
  assert.deepEqual(spec.process.consoleSize, { height: 40, width: 120 });
  assert.equal(buildRuntimeSpec(input({ consoleSize: { height: 1, width: 1 } })).process.consoleSize, undefined);
});

test('buildRuntimeSpec ulimits become rlimits, only those given', () => {
  const spec = buildRuntimeSpec(input({ ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 10, hard: 20 }] }));
  assert.deepEqual(spec.process.rlimits, [
    { type: 'RLIMIT_NOFILE', hard: 2048, soft: 1024 },
    { type: 'RLIMIT_NPROC', hard: 20, soft: 10 },
  ]);
});

test('buildRuntimeSpec oomScoreAdj, noNewPrivileges and sysctls pass through', () => {
  const spec = buildRuntimeSpec(input({ oomScoreAdj: -500, noNewPrivileges: true, sysctls: { 'net.ipv4.ip_forward': '1' } }));
  assert.equal(spec.process.oomScoreAdj, -500);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.deepEqual(spec.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  assert.equal(buildRuntimeSpec(input({ oomScoreAdj: 0 })).process.oomScoreAdj, 0);
  assert.equal(buildRuntimeSpec(input({ sysctls: {} })).linux.sysctl, undefined);
});

test('buildRuntimeSpec resources contain only the given limits', () => {
  const none = buildRuntimeSpec(input()).linux.resources;
  assert.deepEqual(Object.keys(none ?? {}), ['devices']);
  const spec = buildRuntimeSpec(
    input({
      resources: {
        memory: 512 * 1024 * 1024,
        memorySwap: -1,
        cpuShares: 512,
        cpuQuota: 50000,
        cpuPeriod: 100000,
        cpusetCpus: '0-1',
        pidsLimit: 100,
      },
    }),
  );
  assert.deepEqual(spec.linux.resources?.memory, { limit: 536870912, swap: -1 });
  assert.deepEqual(spec.linux.resources?.cpu, { shares: 512, quota: 50000, period: 100000, cpus: '0-1' });
  assert.deepEqual(spec.linux.resources?.pids, { limit: 100 });
});

test('buildRuntimeSpec nano CPUs become a quota over a 100 ms period', () => {
  const spec = buildRuntimeSpec(input({ resources: { nanoCpus: 1_500_000_000 } }));
  assert.deepEqual(spec.linux.resources?.cpu, { period: 100000, quota: 150000 });
  assert.throws(
    () => buildRuntimeSpec(input({ resources: { nanoCpus: 1e9, cpuQuota: 1000 } })),
    /Conflicting options: Nano CPUs and CPU Quota cannot both be set/,
  );
  assert.throws(
    () => buildRuntimeSpec(input({ resources: { nanoCpus: 1e9, cpuPeriod: 1000 } })),
    /Conflicting options: Nano CPUs and CPU Period cannot both be set/,
  );
});

test('buildRuntimeSpec unlimited pids and other memory knobs', () => {
  const spec = buildRuntimeSpec(
    input({ resources: { pidsLimit: 0, memoryReservation: 1000, memorySwappiness: 0, oomKillDisable: true, blkioWeight: 300 } }),
  );
  assert.deepEqual(spec.linux.resources?.pids, { limit: -1 });
  assert.deepEqual(spec.linux.resources?.memory, { reservation: 1000, swappiness: 0, disableOOMKiller: true });
  assert.deepEqual(spec.linux.resources?.blockIO, { weight: 300 });
});

test('buildRuntimeSpec shm size and IPC sources', () => {
  const sized = buildRuntimeSpec(input({ shmSize: 128 * 1024 * 1024 }));
  assert.deepEqual(byDest(sized.mounts, '/dev/shm')?.options?.at(-1), 'size=134217728');
  const none = buildRuntimeSpec(input({ shm: { kind: 'none' } }));
  assert.equal(byDest(none.mounts, '/dev/shm'), undefined);
  const bound = buildRuntimeSpec(input({ shm: { kind: 'bind', source: '/dev/shm' } }));
  assert.deepEqual(byDest(bound.mounts, '/dev/shm'), {
    destination: '/dev/shm',
    type: 'bind',
    source: '/dev/shm',
    options: ['rbind', 'rprivate'],
  });
});

test('buildRuntimeSpec user mounts come after defaults, shallowest first, stable', () => {
  const spec = buildRuntimeSpec(
    input({
      mounts: [
        { destination: '/data/sub', source: '/v/b', type: 'bind', options: ['rbind', 'rprivate'] },
        { destination: '/data', source: '/v/a', type: 'bind', options: ['rbind', 'ro', 'rprivate'] },
        { destination: '/tmp', source: 'tmpfs', type: 'tmpfs', options: ['nosuid', 'nodev'] },
      ],
    }),
  );
  const dests = spec.mounts.map((m) => m.destination);
  // Equal depths keep their order: user mounts before the etc files.
  assert.deepEqual(dests.slice(7), ['/data', '/tmp', '/data/sub', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts']);
});

test('buildRuntimeSpec a user mount replaces the matching default and etc file', () => {
  const spec = buildRuntimeSpec(
    input({
      mounts: [
        { destination: '/dev/shm', source: '/host/shm', type: 'bind', options: ['rbind'] },
        { destination: '/etc/hosts', source: '/my/hosts', type: 'bind', options: ['rbind', 'ro'] },
      ],
    }),
  );
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(byDest(spec.mounts, '/dev/shm')?.source, '/host/shm');
  assert.equal(spec.mounts.filter((m) => m.destination === '/etc/hosts').length, 1);
  assert.equal(byDest(spec.mounts, '/etc/hosts')?.source, '/my/hosts');
});

test('buildRuntimeSpec a user /dev mount replaces every default under /dev', () => {
  const spec = buildRuntimeSpec(input({ mounts: [{ destination: '/dev', source: '/dev', type: 'bind', options: ['rbind'] }] }));
  const dests = spec.mounts.map((m) => m.destination);
  assert.deepEqual(dests.filter((d) => d.startsWith('/dev')), ['/dev']);
  assert.ok(dests.includes('/proc') && dests.includes('/sys'));
});

test('buildRuntimeSpec leaves out etc files the caller did not generate', () => {
  const spec = buildRuntimeSpec(input({ etcFiles: { hostsPath: '/c/hosts' } }));
  assert.deepEqual(
    spec.mounts.filter((m) => m.destination.startsWith('/etc/')).map((m) => m.destination),
    ['/etc/hosts'],
  );
});

test('buildRuntimeSpec read-only rootfs makes root and etc files read-only, kernel mounts unchanged', () => {
  const spec = buildRuntimeSpec(input({ readonlyRootfs: true }));
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(byDest(spec.mounts, '/etc/hosts')?.options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(byDest(spec.mounts, '/proc')?.options, ['nosuid', 'noexec', 'nodev']);
  assert.deepEqual(byDest(spec.mounts, '/dev/shm')?.options?.includes('ro'), false);
  assert.deepEqual(byDest(spec.mounts, '/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
});

test('buildRuntimeSpec privileged drops masks, makes sysfs and cgroup writable and allows all devices', () => {
  const spec = buildRuntimeSpec(input({ privileged: true, capabilities: ['CAP_SYS_ADMIN'], maskedPaths: ['/proc/kcore'] }));
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.equal(spec.linux.readonlyPaths, undefined);
  assert.deepEqual(byDest(spec.mounts, '/sys')?.options, ['nosuid', 'noexec', 'nodev']);
  assert.deepEqual(byDest(spec.mounts, '/sys/fs/cgroup')?.options, ['nosuid', 'noexec', 'nodev']);
  assert.deepEqual(spec.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(spec.process.capabilities?.bounding, ['CAP_SYS_ADMIN']);
});

test('buildRuntimeSpec empty cwd means / and a relative cwd is refused', () => {
  assert.equal(buildRuntimeSpec(input({ cwd: '' })).process.cwd, '/');
  assert.throws(
    () => buildRuntimeSpec(input({ cwd: 'work' })),
    (err: unknown) =>
      isEngineError(err, 'InvalidParameter') &&
      err.message === "the working directory 'work' is invalid, it needs to be an absolute path",
  );
});

test('buildRuntimeSpec refuses an empty command', () => {
  assert.throws(() => buildRuntimeSpec(input({ args: [] })), /No command specified/);
});

test('buildRuntimeSpec output does not share arrays with its input', () => {
  const inp = input({ mounts: [{ destination: '/d', source: '/s', type: 'bind', options: ['rbind'] }] });
  const spec = buildRuntimeSpec(inp);
  spec.process.args.push('x');
  spec.process.capabilities?.bounding?.push('CAP_SYS_ADMIN');
  byDest(spec.mounts, '/d')?.options?.push('ro');
  assert.deepEqual(inp.args, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(inp.capabilities, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(inp.mounts?.[0]?.options, ['rbind']);
  // A second build is unaffected by mutating the first.
  assert.deepEqual(byDest(buildRuntimeSpec(input()).mounts, '/proc')?.options, ['nosuid', 'noexec', 'nodev']);
});

test('buildRuntimeSpec output is plain JSON', () => {
  const spec = buildRuntimeSpec(input({ tty: true, consoleSize: { height: 2, width: 3 } }));
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
});

test('buildRuntimeSpec user namespace joins its file, carries the mappings and keeps sysfs', () => {
  const map = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
  const netns = { ...input().namespaces, network: { kind: 'path' as const, path: '/run/skiff/netns/abc' } };
  const spec = buildRuntimeSpec(input({ namespaces: netns, userns: { ...map, path: '/run/skiff/userns/abc' } }));
  assert.deepEqual(spec.linux.namespaces.at(-1), { type: 'user', path: '/run/skiff/userns/abc' });
  assert.deepEqual(spec.linux.uidMappings, map.uidMappings);
  assert.deepEqual(spec.linux.gidMappings, map.gidMappings);
  assert.equal(byDest(spec.mounts, '/sys')?.type, 'sysfs');
  // Without a namespace file the net namespace is not the user namespace's: /sys is bound instead.
  const unowned = buildRuntimeSpec(input({ namespaces: netns, userns: map }));
  assert.deepEqual(unowned.linux.namespaces.at(-1), { type: 'user' });
  assert.deepEqual(byDest(unowned.mounts, '/sys'), { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  assert.equal(buildRuntimeSpec(input()).linux.uidMappings, undefined);
});
