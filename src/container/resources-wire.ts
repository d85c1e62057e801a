import { cpus } from 'node:os';
import { invalidParameter } from '../base/engine-error.js';
import type { DeviceMapping, DeviceRate, HostOptions, HostResources } from './container-record.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './runtime-spec-defaults.js';
import { emptyHostResources, validateResources, withDefaultSwap } from './resources.js';
import { parseSecurityOpts } from './security-opts.js';
import { validateSysctls } from './security-opts-sysctls.js';

/**
 * The isolation and resource fields of Docker's HostConfig (and of the `docker update` body,
 * which holds the same Resources fields), read from the wire. Kept beside the planners that
 * use them so create-request.ts only spreads the result in.
 */
export const ISOLATION_HOST_FIELDS: readonly string[] = [
  'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'OomKillDisable', 'CpuQuota', 'CpuPeriod', 'CpusetCpus',
  'CpusetMems', 'BlkioWeight', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps', 'SecurityOpt', 'Devices', 'DeviceCgroupRules', 'GroupAdd', 'UsernsMode', 'MaskedPaths',
  'ReadonlyPaths',
];

type Wire = Record<string, unknown>;

const num = (w: Wire, k: string, unset = 0): number => {
  const v = w[k];
  if (v === undefined || v === null) return unset;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameter(`HostConfig.${k} must be a number`);
  return v;
};

const str = (w: Wire, k: string): string => {
  const v = w[k];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalidParameter(`HostConfig.${k} must be a string`);
  return v;
};

const strings = (w: Wire, k: string): string[] => {
  const v = w[k];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidParameter(`HostConfig.${k} must be a list of strings`);
  return v;
};

function rates(w: Wire, k: string, field: 'Rate' | 'Weight'): DeviceRate[] {
  const v = w[k];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParameter(`HostConfig.${k} must be a list`);
  return v.map((e: { Path?: unknown; Rate?: unknown; Weight?: unknown }) => {
    const rate = e[field];
    if (typeof e.Path !== 'string' || typeof rate !== 'number' || rate < 0) throw invalidParameter(`invalid HostConfig.${k} entry`);
    return { path: e.Path, rate };
  });
}

function devices(w: Wire): DeviceMapping[] {
  const v = w.Devices;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParameter('HostConfig.Devices must be a list');
  return v.map((d: { PathOnHost?: unknown; PathInContainer?: unknown; CgroupPermissions?: unknown }) => {
    if (typeof d.PathOnHost !== 'string' || d.PathOnHost === '') throw invalidParameter('invalid device: PathOnHost is empty');
    const inContainer = typeof d.PathInContainer === 'string' && d.PathInContainer !== '' ? d.PathInContainer : d.PathOnHost;
    const perms = typeof d.CgroupPermissions === 'string' && d.CgroupPermissions !== '' ? d.CgroupPermissions : 'rwm';
    if (!/^[rwm]+$/.test(perms)) throw invalidParameter(`invalid device mode: ${perms}`);
    if (!inContainer.startsWith('/')) throw invalidParameter(`${inContainer} is not an absolute path`);
    return { pathOnHost: d.PathOnHost, pathInContainer: inContainer, cgroupPermissions: perms };
  });
}

/** The Resources fields besides Memory, NanoCpus, CpuShares and PidsLimit. */
export function parseHostResources(w: Wire): HostResources {
  return {
    ...emptyHostResources(),
    memoryReservation: num(w, 'MemoryReservation'),
    memorySwap: num(w, 'MemorySwap'),
    memorySwappiness: num(w, 'MemorySwappiness', -1),
    oomKillDisable: w.OomKillDisable === true,
    cpuQuota: num(w, 'CpuQuota'),
    cpuPeriod: num(w, 'CpuPeriod'),
    cpusetCpus: str(w, 'CpusetCpus'),
    cpusetMems: str(w, 'CpusetMems'),
    blkioWeight: num(w, 'BlkioWeight'),
    blkioWeightDevice: rates(w, 'BlkioWeightDevice', 'Weight'),
    deviceReadBps: rates(w, 'BlkioDeviceReadBps', 'Rate'),
    deviceWriteBps: rates(w, 'BlkioDeviceWriteBps', 'Rate'),
    deviceReadIOps: rates(w, 'BlkioDeviceReadIOps', 'Rate'),
    deviceWriteIOps: rates(w, 'BlkioDeviceWriteIOps', 'Rate'),
  };
}

export interface IsolationHostOptions {
  memory: number;
  resources: HostResources;
  securityOpt: string[];
  groupAdd: string[];
  devices: DeviceMapping[];
  deviceCgroupRules: string[];
  usernsMode: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/**
 * Reads and validates the isolation fields of a create body's HostConfig (with Docker's
 * messages). `memory` is returned because the swap default depends on it.
 */
export function parseIsolationHostConfig(hc: Wire): IsolationHostOptions {
  const memory = num(hc, 'Memory');
  const resources = withDefaultSwap({ ...parseHostResources(hc), memory });
  const { memory: _m, ...hostResources } = resources;
  validateResources(
    { ...resources, nanoCpus: num(hc, 'NanoCpus'), cpuShares: num(hc, 'CpuShares'), pidsLimit: num(hc, 'PidsLimit') },
    { cpus: cpus().length || 1 },
  );
  const securityOpt = strings(hc, 'SecurityOpt');
  parseSecurityOpts(securityOpt); // refuse bad options at create, as dockerd does
  const usernsMode = str(hc, 'UsernsMode');
  if (!['', 'host', 'auto', 'private'].includes(usernsMode) && !usernsMode.startsWith('auto:')) {
    throw invalidParameter(`invalid USER mode: ${usernsMode}`);
  }
  // Podman's auto:size=…,uidmapping=… options are refused rather than ignored.
  if (usernsMode.startsWith('auto:')) throw invalidParameter(`HostConfig.UsernsMode "${usernsMode}": options of "auto" are not supported by this engine (use "auto")`);
  const deviceCgroupRules = strings(hc, 'DeviceCgroupRules');
  for (const r of deviceCgroupRules) {
    if (!/^[acb] (\d+|\*):(\d+|\*) [rwm]{1,3}$/.test(r)) throw invalidParameter(`invalid device cgroup format '${r}'`);
  }
  validateSysctls((hc.Sysctls ?? {}) as Record<string, string>, {
    networkMode: str(hc, 'NetworkMode'),
    ipcMode: str(hc, 'IpcMode'),
    utsMode: str(hc, 'UTSMode'),
  });
  const out: IsolationHostOptions = {
    memory,
    resources: hostResources,
    securityOpt,
    groupAdd: strings(hc, 'GroupAdd'),
    devices: devices(hc),
    deviceCgroupRules,
    usernsMode: usernsMode === 'private' ? '' : usernsMode,
  };
  // null means "Docker's defaults"; a list (even empty: systempaths=unconfined) replaces them.
  if (Array.isArray(hc.MaskedPaths)) out.maskedPaths = strings(hc, 'MaskedPaths');
  if (Array.isArray(hc.ReadonlyPaths)) out.readonlyPaths = strings(hc, 'ReadonlyPaths');
  return out;
}

const rateShape = (field: 'Rate' | 'Weight') => (d: DeviceRate) => ({ Path: d.path, [field]: d.rate });

/** The isolation fields of inspect's HostConfig, echoing what create stored (Docker's names and zero values). */
export function isolationHostConfigShape(h: HostOptions): Record<string, unknown> {
  const r = h.resources ?? emptyHostResources();
  return {
    SecurityOpt: h.securityOpt?.length ? h.securityOpt : null,
    GroupAdd: h.groupAdd?.length ? h.groupAdd : null,
    UsernsMode: h.usernsMode ?? '',
    Memory: h.memory,
    MemoryReservation: r.memoryReservation,
    MemorySwap: r.memorySwap,
    MemorySwappiness: r.memorySwappiness >= 0 ? r.memorySwappiness : null,
    OomKillDisable: r.oomKillDisable,
    CpuPeriod: r.cpuPeriod,
    CpuQuota: r.cpuQuota,
    CpusetCpus: r.cpusetCpus,
    CpusetMems: r.cpusetMems,
    BlkioWeight: r.blkioWeight,
    BlkioWeightDevice: r.blkioWeightDevice.map(rateShape('Weight')),
    BlkioDeviceReadBps: r.deviceReadBps.map(rateShape('Rate')),
    BlkioDeviceWriteBps: r.deviceWriteBps.map(rateShape('Rate')),
    BlkioDeviceReadIOps: r.deviceReadIOps.map(rateShape('Rate')),
    BlkioDeviceWriteIOps: r.deviceWriteIOps.map(rateShape('Rate')),
    Devices: (h.devices ?? []).map((d) => ({ PathOnHost: d.pathOnHost, PathInContainer: d.pathInContainer, CgroupPermissions: d.cgroupPermissions })),
    DeviceCgroupRules: h.deviceCgroupRules?.length ? h.deviceCgroupRules : null,
    // dockerd stores the defaults at create; a privileged container has none.
    MaskedPaths: h.privileged ? null : (h.maskedPaths ?? [...DEFAULT_MASKED_PATHS]),
    ReadonlyPaths: h.privileged ? null : (h.readonlyPaths ?? [...DEFAULT_READONLY_PATHS]),
  };
}
