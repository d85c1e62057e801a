import { invalidParameter } from '../base/engine-error.js';
import {
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  defaultDeviceRules,
  kernelMounts,
  shmTmpfsMount,
} from './runtime-spec-defaults.js';
import type {
  RuntimeSpec,
  SpecDevice,
  SpecDeviceCgroup,
  SpecMount,
  SpecNamespace,
  SpecProcess,
  SpecIdMapping,
  SpecResources,
  SpecSeccomp,
  SpecThrottleDevice,
} from './runtime-spec-types.js';

export type { RuntimeSpec } from './runtime-spec-types.js';

/** How a container gets one namespace: its own, the host's, or one joined by path (/proc/<pid>/ns/<x>). */
export type NamespaceMode = { kind: 'new' } | { kind: 'host' } | { kind: 'path'; path: string };

/** A resolved volume/bind/tmpfs mount, ready for the spec. */
export interface VolumeMount {
  destination: string;
  source: string;
  type: string;
  options: string[];
}

/** HostConfig.Ulimits entry: name as Docker spells it ("nofile", "nproc", …). */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** Only the limits the user asked for; everything absent stays unlimited/inherited. */
export interface ResourceLimits {
  memory?: number;
  memoryReservation?: number;
  /** -1 means unlimited swap, as in Docker. */
  memorySwap?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  /** HostConfig.NanoCpus: turned into quota/period over a 100 ms period, as Docker does. */
  nanoCpus?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** ≤ 0 means unlimited. */
  pidsLimit?: number;
  blkioWeight?: number;
  /** --blkio-weight-device, --device-read-bps and friends, resolved to major:minor by the caller. */
  blkioWeightDevice?: Array<{ major: number; minor: number; weight: number }>;
  deviceReadBps?: SpecThrottleDevice[];
  deviceWriteBps?: SpecThrottleDevice[];
  deviceReadIOps?: SpecThrottleDevice[];
  deviceWriteIOps?: SpecThrottleDevice[];
}

/** Where /dev/shm comes from: a private tmpfs (IPC "private"/"shareable"), another namespace's shm, or nothing (IPC "none"). */
export type ShmSource = { kind: 'tmpfs' } | { kind: 'bind'; source: string } | { kind: 'none' };

export interface RuntimeSpecInput {
  id: string;
  hostname: string;
  domainname?: string;
  rootfsPath: string;
  readonlyRootfs?: boolean;
  args: string[];
  /** Already merged: image env, create env, PATH/HOSTNAME/TERM. */
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  consoleSize?: { height: number; width: number };
  /** The final list (after cap-add/cap-drop, or the host's bounding set when privileged). */
  capabilities: string[];
  privileged?: boolean;
  noNewPrivileges?: boolean;
  /** Host paths of the generated files; an absent one is not mounted (the image's own stays visible). */
  etcFiles: { hostsPath?: string; hostnamePath?: string; resolvConfPath?: string };
  namespaces: {
    network: NamespaceMode;
    pid: NamespaceMode;
    ipc: NamespaceMode;
    uts: NamespaceMode;
    cgroupns: 'private' | 'host';
  };
  /** Defaults to /skiff/<id>. */
  cgroupsPath?: string;
  mounts?: VolumeMount[];
  /** Bytes; 0 or absent means Docker's 64 MiB. */
  shmSize?: number;
  shm?: ShmSource;
  ulimits?: Ulimit[];
  resources?: ResourceLimits;
  sysctls?: Record<string, string>;
  oomScoreAdj?: number;
  /** HostConfig.MaskedPaths / ReadonlyPaths when the client sent them (they replace the defaults). */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** Host-specific paths Docker also masks, e.g. /sys/devices/system/cpu/cpu<N>/thermal_throttle. */
  extraMaskedPaths?: string[];
  /** --device entries, or every host device when privileged (the caller scans /dev). */
  devices?: SpecDevice[];
  /** Extra device cgroup rules (--device, --device-cgroup-rule), appended after the defaults. */
  deviceCgroupRules?: SpecDeviceCgroup[];
  /** The converted seccomp filter; absent means none (privileged, seccomp=unconfined). */
  seccomp?: SpecSeccomp;
  /** AppArmor profile name, only where the host has AppArmor enabled. */
  apparmorProfile?: string;
  /**
   * A user namespace with these mappings (--userns-remap, --userns=auto); with `path`, the
   * namespace already exists there (made with the net namespace it must own) and is joined.
   */
  userns?: { uidMappings: SpecIdMapping[]; gidMappings: SpecIdMapping[]; path?: string };
}

const depth = (p: string): number => p.split('/').filter((s) => s !== '' && s !== '.').length;

function bindEtcMounts(input: RuntimeSpecInput): SpecMount[] {
  // Docker makes these read-only along with a read-only rootfs.
  const options = input.readonlyRootfs ? ['rbind', 'ro', 'rprivate'] : ['rbind', 'rprivate'];
  const files: Array<[string, string | undefined]> = [
    ['/etc/resolv.conf', input.etcFiles.resolvConfPath],
    ['/etc/hostname', input.etcFiles.hostnamePath],
    ['/etc/hosts', input.etcFiles.hostsPath],
  ];
  return files.flatMap(([destination, source]) =>
    source === undefined ? [] : [{ destination, type: 'bind', source, options: [...options] }],
  );
}

function shmMount(input: RuntimeSpecInput): SpecMount | undefined {
  const shm = input.shm ?? { kind: 'tmpfs' };
  if (shm.kind === 'none') return undefined;
  if (shm.kind === 'bind') return { destination: '/dev/shm', type: 'bind', source: shm.source, options: ['rbind', 'rprivate'] };
  return shmTmpfsMount(input.shmSize && input.shmSize > 0 ? input.shmSize : DEFAULT_SHM_SIZE);
}

/**
 * Docker's mount list: the kernel filesystems it always provides (minus any a user mount
 * replaces; a user /dev replaces everything under /dev too), then the user's mounts and the
 * generated /etc files, shallowest destination first so parents are mounted before children.
 */
function buildMounts(input: RuntimeSpecInput): SpecMount[] {
  const userMounts: SpecMount[] = (input.mounts ?? []).map((m) => ({
    destination: m.destination,
    type: m.type,
    source: m.source,
    options: [...m.options],
  }));
  const userDest = new Set(userMounts.map((m) => m.destination));
  const etc = bindEtcMounts(input).filter((m) => !userDest.has(m.destination));
  const claimed = [...userMounts, ...etc];
  const claimedDest = new Set(claimed.map((m) => m.destination));
  const userDev = userDest.has('/dev');

  const shm = shmMount(input);
  const defaults = [...kernelMounts(), ...(shm ? [shm] : [])].filter(
    (m) => !claimedDest.has(m.destination) && !(userDev && m.destination.startsWith('/dev/')),
  );

  if (input.readonlyRootfs) {
    const keepWritable = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);
    for (const m of defaults) {
      if (!keepWritable.has(m.destination) && !m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
    }
  }
  if (input.privileged) {
    for (const m of defaults) {
      if (m.destination === '/sys' || m.type === 'cgroup') m.options = m.options?.filter((o) => o !== 'ro');
    }
  }
  // sysfs can only be mounted by root of the user namespace owning the network namespace; a
  // joined one that the user namespace does not own (one made without it, `path` absent)
  // belongs to the host's, so the host's /sys is bound read-only instead (as Podman does then).
  if (input.userns && !input.userns.path && input.namespaces.network.kind !== 'new') {
    for (const m of defaults) {
      if (m.type === 'sysfs') Object.assign(m, { type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    }
  }

  const sortedUser = claimed
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i)
    .map(({ m }) => m);
  return [...defaults, ...sortedUser];
}

function namespaceEntry(type: SpecNamespace['type'], mode: NamespaceMode): SpecNamespace[] {
  if (mode.kind === 'host') return [];
  if (mode.kind === 'path') return [{ type, path: mode.path }];
  return [{ type }];
}

function buildNamespaces(input: RuntimeSpecInput): SpecNamespace[] {
  const ns = input.namespaces;
  return [
    { type: 'mount' },
    ...namespaceEntry('network', ns.network),
    ...namespaceEntry('uts', ns.uts),
    ...namespaceEntry('pid', ns.pid),
    ...namespaceEntry('ipc', ns.ipc),
    ...(ns.cgroupns === 'private' ? [{ type: 'cgroup' as const }] : []),
    ...(input.userns ? [input.userns.path ? { type: 'user' as const, path: input.userns.path } : { type: 'user' as const }] : []),
  ];
}

/** The limits `runc update --resources` takes for a running container: everything but device rules. */
export function updatableResources(limits: ResourceLimits): SpecResources {
  const { devices: _d, ...rest } = buildResources({ resources: limits });
  return rest;
}

function buildResources(input: Pick<RuntimeSpecInput, 'resources' | 'privileged' | 'deviceCgroupRules'>): SpecResources {
  const r = input.resources ?? {};
  const out: SpecResources = {};
  out.devices = input.privileged
    ? [{ allow: true, access: 'rwm' }]
    : [...defaultDeviceRules(), ...(input.deviceCgroupRules ?? [])];

  const memory: NonNullable<SpecResources['memory']> = {};
  if (r.memory !== undefined && r.memory > 0) memory.limit = r.memory;
  if (r.memoryReservation !== undefined && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (r.memorySwap !== undefined && r.memorySwap !== 0) memory.swap = r.memorySwap;
  if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) memory.swappiness = r.memorySwappiness;
  if (r.oomKillDisable !== undefined) memory.disableOOMKiller = r.oomKillDisable;
  if (Object.keys(memory).length > 0) out.memory = memory;

  const cpu: NonNullable<SpecResources['cpu']> = {};
  if (r.nanoCpus !== undefined && r.nanoCpus > 0) {
    if ((r.cpuPeriod ?? 0) > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if ((r.cpuQuota ?? 0) > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
    cpu.period = 100000;
    cpu.quota = Math.floor((r.nanoCpus * cpu.period) / 1e9);
  }
  if (r.cpuShares !== undefined && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined && r.cpuQuota !== 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;

  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  const blockIO: NonNullable<SpecResources['blockIO']> = {};
  if (r.blkioWeight !== undefined && r.blkioWeight > 0) blockIO.weight = r.blkioWeight;
  if (r.blkioWeightDevice?.length) blockIO.weightDevice = r.blkioWeightDevice.map((d) => ({ ...d }));
  if (r.deviceReadBps?.length) blockIO.throttleReadBpsDevice = r.deviceReadBps.map((d) => ({ ...d }));
  if (r.deviceWriteBps?.length) blockIO.throttleWriteBpsDevice = r.deviceWriteBps.map((d) => ({ ...d }));
  if (r.deviceReadIOps?.length) blockIO.throttleReadIOPSDevice = r.deviceReadIOps.map((d) => ({ ...d }));
  if (r.deviceWriteIOps?.length) blockIO.throttleWriteIOPSDevice = r.deviceWriteIOps.map((d) => ({ ...d }));
  if (Object.keys(blockIO).length > 0) out.blockIO = blockIO;
  return out;
}

function buildProcess(input: RuntimeSpecInput): SpecProcess {
  if (input.args.length === 0) throw invalidParameter('No command specified');
  const caps = [...input.capabilities];
  const process: SpecProcess = {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid },
    args: [...input.args],
    env: [...input.env],
    cwd: input.cwd === '' ? '/' : input.cwd,
    // Docker 28 leaves inheritable and ambient empty: non-root users get no capabilities after exec.
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    noNewPrivileges: input.noNewPrivileges ?? false,
  };
  if (input.user.additionalGids.length > 0) process.user.additionalGids = [...input.user.additionalGids];
  if (input.tty && input.consoleSize) process.consoleSize = { ...input.consoleSize };
  if (input.ulimits && input.ulimits.length > 0) {
    process.rlimits = input.ulimits.map((u) => ({ type: `RLIMIT_${u.name.toUpperCase()}`, hard: u.hard, soft: u.soft }));
  }
  if (input.oomScoreAdj !== undefined) process.oomScoreAdj = input.oomScoreAdj;
  if (input.apparmorProfile) process.apparmorProfile = input.apparmorProfile;
  return process;
}

/** The OCI runtime config (config.json) for a container, reproducing dockerd's defaults. Pure. */
export function buildRuntimeSpec(input: RuntimeSpecInput): RuntimeSpec {
  if (!input.cwd.startsWith('/') && input.cwd !== '') {
    throw invalidParameter(`the working directory '${input.cwd}' is invalid, it needs to be an absolute path`);
  }
  const spec: RuntimeSpec = {
    ociVersion: '1.0.2',
    process: buildProcess(input),
    root: { path: input.rootfsPath, readonly: input.readonlyRootfs ?? false },
    mounts: buildMounts(input),
    linux: {
      namespaces: buildNamespaces(input),
      cgroupsPath: input.cgroupsPath ?? `/skiff/${input.id}`,
      resources: buildResources(input),
    },
  };
  // runc refuses a hostname without its own UTS namespace, and would rename a joined one.
  if (input.namespaces.uts.kind === 'new') {
    spec.hostname = input.hostname;
    if (input.domainname) spec.domainname = input.domainname;
  }
  if (input.devices && input.devices.length > 0) spec.linux.devices = input.devices.map((d) => ({ ...d }));
  if (input.sysctls && Object.keys(input.sysctls).length > 0) spec.linux.sysctl = { ...input.sysctls };
  if (!input.privileged) {
    spec.linux.maskedPaths = [...(input.maskedPaths ?? DEFAULT_MASKED_PATHS), ...(input.extraMaskedPaths ?? [])];
    spec.linux.readonlyPaths = [...(input.readonlyPaths ?? DEFAULT_READONLY_PATHS)];
  }
  if (input.seccomp) spec.linux.seccomp = input.seccomp;
  if (input.userns) {
    spec.linux.uidMappings = input.userns.uidMappings.map((m) => ({ ...m }));
    spec.linux.gidMappings = input.userns.gidMappings.map((m) => ({ ...m }));
  }
  return spec;
}
