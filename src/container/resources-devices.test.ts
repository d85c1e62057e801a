import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostDevices, parseDeviceCgroupRule, plannedDevices, splitDev, type DeviceFs, type DeviceStat } from './resources-devices.js';

const makedev = (major: number, minor: number) => (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);

test('device numbers split like the kernel encodes them', () => {
  assert.deepEqual(splitDev(makedev(8, 0)), { major: 8, minor: 0 });
  assert.deepEqual(splitDev(makedev(259, 300)), { major: 259, minor: 300 });
  assert.deepEqual(splitDev(makedev(1, 3)), { major: 1, minor: 3 });
});

function fakeFs(tree: Record<string, { kind: 'c' | 'b' | 'd' | 'l' | 'f'; dev?: [number, number] }>): DeviceFs {
  const st = (p: string): DeviceStat => {
    const e = tree[p];
    if (!e) throw Object.assign(new Error(`ENOENT: no such file or directory, stat '${p}'`), { code: 'ENOENT' });
    return {
      isCharacterDevice: () => e.kind === 'c',
      isBlockDevice: () => e.kind === 'b',
      isDirectory: () => e.kind === 'd',
      isSymbolicLink: () => e.kind === 'l',
      rdev: e.dev ? makedev(e.dev[0], e.dev[1]) : 0,
      mode: 0o20666,
      uid: 0,
      gid: 0,
    };
  };
  return {
    stat: st,
    lstat: st,
    readdir: (dir) => Object.keys(tree).filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')).map((p) => p.slice(dir.length + 1)),
  };
}

const dev = fakeFs({
  '/dev': { kind: 'd' },
  '/dev/null': { kind: 'c', dev: [1, 3] },
  '/dev/sda': { kind: 'b', dev: [8, 0] },
  '/dev/console': { kind: 'c', dev: [5, 1] },
  '/dev/pts': { kind: 'd' },
  '/dev/pts/0': { kind: 'c', dev: [136, 0] },
  '/dev/stdin': { kind: 'l' },
  '/dev/snd': { kind: 'd' },
  '/dev/snd/timer': { kind: 'c', dev: [116, 33] },
});

test('privileged containers get every host device but console and pts', () => {
  assert.deepEqual(hostDevices(dev).map((d) => `${d.type} ${d.path} ${d.major}:${d.minor}`), ['c /dev/null 1:3', 'b /dev/sda 8:0', 'c /dev/snd/timer 116:33']);
});

test('--device maps a node or a directory and allows it in the device cgroup', () => {
  const one = plannedDevices(dev, [{ pathOnHost: '/dev/sda', pathInContainer: '/dev/xvda', cgroupPermissions: 'r' }]);
  assert.deepEqual(one.devices.map((d) => [d.path, d.type, d.major, d.minor]), [['/dev/xvda', 'b', 8, 0]]);
  assert.deepEqual(one.rules, [{ allow: true, type: 'b', major: 8, minor: 0, access: 'r' }]);
  const dir = plannedDevices(dev, [{ pathOnHost: '/dev/snd', pathInContainer: '/dev/snd', cgroupPermissions: 'rwm' }]);
  assert.deepEqual(dir.devices.map((d) => d.path), ['/dev/snd/timer']);
  assert.throws(() => plannedDevices(dev, [{ pathOnHost: '/dev/nope', pathInContainer: '/dev/nope', cgroupPermissions: 'rwm' }]), /error gathering device information while adding custom device "\/dev\/nope"/);
});

test('device cgroup rules parse wildcards', () => {
  assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.deepEqual(parseDeviceCgroupRule('b *:* m'), { allow: true, type: 'b', access: 'm' });
  assert.throws(() => parseDeviceCgroupRule('x 1:3 rwm'), /invalid device cgroup format/);
});
