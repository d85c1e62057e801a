import { join } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import type { DeviceMapping } from './container-record.js';
import type { SpecDevice, SpecDeviceCgroup } from './runtime-spec-types.js';

/** What the planner needs to know of a host path: the fields of lstat it reads. */
export interface DeviceStat {
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  rdev: number;
  mode: number;
  uid: number;
  gid: number;
}

/** The file system calls device planning makes, injected (the real ones are node:fs's sync calls). */
export interface DeviceFs {
  stat(path: string): DeviceStat;
  lstat(path: string): DeviceStat;
  readdir(path: string): string[];
}

/** Linux's dev_t encoding (12-bit major split across two fields, 20-bit minor). */
export function splitDev(rdev: number): { major: number; minor: number } {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev % 2 ** 32;
  const major = ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0);
  const minor = (lo & 0xff) | ((lo >>> 12) & 0xfff00);
  return { major, minor };
}

function toDevice(path: string, st: DeviceStat): SpecDevice | undefined {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  const { major, minor } = splitDev(st.rdev);
  return { type, path, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** The major:minor of a block device path (--device-read-bps and friends), with dockerd's error. */
export function blockDeviceNumbers(fs: DeviceFs, path: string): { major: number; minor: number } {
  let st: DeviceStat;
  try {
    st = fs.stat(path);
  } catch (err) {
    throw invalidParameter(`error gathering device information while adding custom device "${path}": ${(err as Error).message}`);
  }
  if (!st.isBlockDevice()) throw invalidParameter(`"${path}" is not a block device`);
  return splitDev(st.rdev);
}

/**
 * --device: a node, or a directory whose nodes are all added under the container path. Each gets
 * a device node in the container and an allow rule with the requested permissions.
 */
export function plannedDevices(fs: DeviceFs, mappings: readonly DeviceMapping[]): { devices: SpecDevice[]; rules: SpecDeviceCgroup[] } {
  const devices: SpecDevice[] = [];
  const rules: SpecDeviceCgroup[] = [];
  const add = (hostPath: string, ctrPath: string, perms: string, st: DeviceStat) => {
    const d = toDevice(ctrPath, st);
    if (!d) return false;
    devices.push(d);
    rules.push({ allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major, minor: d.minor, access: perms });
    return true;
  };
  for (const m of mappings) {
    let st: DeviceStat;
    try {
      st = fs.stat(m.pathOnHost);
    } catch (err) {
      throw invalidParameter(`error gathering device information while adding custom device "${m.pathOnHost}": ${(err as Error).message}`);
    }
    if (st.isDirectory()) {
      for (const { path, stat } of walk(fs, m.pathOnHost, new Set())) add(path, join(m.pathInContainer, path.slice(m.pathOnHost.length)), m.cgroupPermissions, stat);
      continue;
    }
    if (!add(m.pathOnHost, m.pathInContainer, m.cgroupPermissions, st)) throw invalidParameter(`error gathering device information while adding custom device "${m.pathOnHost}": not a device node`);
  }
  return { devices, rules };
}

/** Directories of /dev that hold no real devices of the host (or a container's own). */
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

function* walk(fs: DeviceFs, dir: string, skip: ReadonlySet<string>): Generator<{ path: string; stat: DeviceStat }> {
  let names: string[];
  try {
    names = fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    let st: DeviceStat;
    try {
      st = fs.lstat(path);
    } catch {
      continue; // vanished while scanning
    }
    if (st.isDirectory()) {
      if (!skip.has(name)) yield* walk(fs, path, skip);
      continue;
    }
    if (st.isSymbolicLink()) continue;
    yield { path, stat: st };
  }
}

/** --privileged: every device node of the host's /dev (as dockerd, minus /dev/console and the pty/shm trees). */
export function hostDevices(fs: DeviceFs, root = '/dev'): SpecDevice[] {
  const out: SpecDevice[] = [];
  for (const { path, stat } of walk(fs, root, SKIP_DIRS)) {
    if (path === join(root, 'console')) continue;
    const d = toDevice(path, stat);
    // 0:0 nodes are overlay whiteouts, not devices.
    if (d && !(d.major === 0 && d.minor === 0)) out.push(d);
  }
  return out;
}

/** "c 1:3 rwm", "b *:* m", "a *:* rwm" (--device-cgroup-rule) → a cgroup rule. */
export function parseDeviceCgroupRule(rule: string): SpecDeviceCgroup {
  const m = /^([acb]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.exec(rule);
  if (!m) throw invalidParameter(`invalid device cgroup format '${rule}'`);
  const out: SpecDeviceCgroup = { allow: true, type: m[1] as 'a' | 'c' | 'b', access: m[4] ?? 'rwm' };
  if (m[2] !== '*') out.major = Number(m[2]);
  if (m[3] !== '*') out.minor = Number(m[3]);
  return out;
}
