import type { SpecDeviceCgroup, SpecMount } from './runtime-spec-types.js';

/** Docker's /dev/shm size when HostConfig.ShmSize is 0. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/**
 * The kernel filesystems every container gets, in Docker's order and with Docker's options.
 * /dev/shm is left out: whether it is a private tmpfs, a bind of another IPC namespace's shm or
 * absent depends on the IPC mode (see shmMount).
 */
export function kernelMounts(): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
}

/** Docker appends the size in bytes to the tmpfs options (size=67108864 by default). */
export function shmTmpfsMount(sizeBytes: number): SpecMount {
  return {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${sizeBytes}`],
  };
}

/** Paths Docker 28 hides from unprivileged containers (files get /dev/null, directories an empty tmpfs). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
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
];

/** Paths Docker remounts read-only in unprivileged containers. */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

const rwm = (major: number, minor?: number): SpecDeviceCgroup =>
  minor === undefined ? { allow: true, type: 'c', major, access: 'rwm' } : { allow: true, type: 'c', major, minor, access: 'rwm' };

/**
 * The device cgroup for an unprivileged container: deny everything, then Docker's allow list
 * (zero, null, urandom, random, tty, console; fuse explicitly denied), then the rules runc (and
 * crun) append on their own — mknod of any node, full, pts, ptmx, tun. Writing runc's rules out
 * keeps the spec honest about what the container can open, whichever runtime reads it.
 *
 * No linux.devices entries are needed for these: runc creates null, zero, full, random, urandom
 * and tty in the container's /dev itself, and /dev/ptmx as a symlink to pts/ptmx.
 */
export function defaultDeviceRules(): SpecDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    rwm(1, 5),
    rwm(1, 3),
    rwm(1, 9),
    rwm(1, 8),
    rwm(5, 0),
    rwm(5, 1),
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    rwm(1, 7),
    rwm(136),
    rwm(5, 2),
    rwm(10, 200),
  ];
}
