import { invalidParameter } from '../base/engine-error.js';
import type { HostResources } from './container-record.js';
import type { ResourceLimits } from './runtime-spec.js';
import type { SpecThrottleDevice } from './runtime-spec-types.js';

/** dockerd's smallest memory limit and reservation. */
export const MIN_MEMORY = 6 * 1024 * 1024;

/** Every limit `docker create` and `docker update` can set, in one place for validation. */
export interface ResourceSettings extends HostResources {
  memory: number;
  nanoCpus: number;
  cpuShares: number;
  pidsLimit: number;
}

export function emptyHostResources(): HostResources {
  return {
    memoryReservation: 0,
    memorySwap: 0,
    memorySwappiness: -1,
    oomKillDisable: false,
    cpuQuota: 0,
    cpuPeriod: 0,
    cpusetCpus: '',
    cpusetMems: '',
    blkioWeight: 0,
    blkioWeightDevice: [],
    deviceReadBps: [],
    deviceWriteBps: [],
    deviceReadIOps: [],
    deviceWriteIOps: [],
  };
}

/** "0-2,4" → [0,1,2,4]; undefined when the list is malformed. */
export function parseCpuList(list: string): number[] | undefined {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/**
 * dockerd's checks, with its messages. `update` relaxes the "swap needs memory" rule, as dockerd
 * does (the container already has a memory limit to compare with).
 */
export function validateResources(r: ResourceSettings, host: { cpus: number }, update = false): void {
  if (r.memory !== 0 && r.memory < MIN_MEMORY) throw invalidParameter('Minimum memory limit allowed is 6MB');
  if (r.memory > 0 && r.memorySwap > 0 && r.memorySwap < r.memory) {
    throw invalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (!update && r.memory === 0 && r.memorySwap > 0) {
    throw invalidParameter('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (r.memorySwappiness !== -1 && (r.memorySwappiness < 0 || r.memorySwappiness > 100)) {
    throw invalidParameter(`Invalid value: ${r.memorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if (r.memory > 0 && r.memoryReservation > 0 && r.memory < r.memoryReservation) {
    throw invalidParameter('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.memoryReservation > 0 && r.memoryReservation < MIN_MEMORY) throw invalidParameter('Minimum memory reservation allowed is 6MB');
  if (r.nanoCpus > 0 && r.cpuPeriod > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (r.nanoCpus > 0 && r.cpuQuota > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (r.nanoCpus < 0 || r.nanoCpus > host.cpus * 1e9) {
    throw invalidParameter(`Range of CPUs is from 0.01 to ${host.cpus}.00, as there are only ${host.cpus} CPUs available`);
  }
  if (r.cpuPeriod !== 0 && (r.cpuPeriod < 1000 || r.cpuPeriod > 1000000)) {
    throw invalidParameter('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)');
  }
  if (r.cpuQuota > 0 && r.cpuQuota < 1000) throw invalidParameter('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.cpusetCpus) {
    const cpus = parseCpuList(r.cpusetCpus);
    if (!cpus) throw invalidParameter(`Invalid value ${r.cpusetCpus} for cpuset cpus`);
    if (cpus.some((c) => c >= host.cpus)) {
      throw invalidParameter(`Requested CPUs are not available - requested ${r.cpusetCpus}, available: 0-${host.cpus - 1}`);
    }
  }
  if (r.cpusetMems && !parseCpuList(r.cpusetMems)) throw invalidParameter(`Invalid value ${r.cpusetMems} for cpuset mems`);
  if (r.blkioWeight > 0 && (r.blkioWeight < 10 || r.blkioWeight > 1000)) throw invalidParameter('Range of blkio weight is from 10 to 1000');
  for (const d of r.blkioWeightDevice) {
    if (d.rate < 10 || d.rate > 1000) throw invalidParameter('Range of blkio weight is from 10 to 1000');
  }
}

/** Settings → the runtime's resources. `device` turns a host path into its major:minor (the caller stats it). */
export function resourceLimits(r: ResourceSettings, device: (path: string) => { major: number; minor: number }): ResourceLimits {
  const rates = (list: readonly { path: string; rate: number }[]): SpecThrottleDevice[] =>
    list.map((d) => ({ ...device(d.path), rate: d.rate }));
  return {
    memory: r.memory || undefined,
    memoryReservation: r.memoryReservation || undefined,
    memorySwap: r.memorySwap || undefined,
    memorySwappiness: r.memorySwappiness >= 0 ? r.memorySwappiness : undefined,
    oomKillDisable: r.oomKillDisable || undefined,
    cpuShares: r.cpuShares || undefined,
    cpuQuota: r.cpuQuota || undefined,
    cpuPeriod: r.cpuPeriod || undefined,
    nanoCpus: r.nanoCpus || undefined,
    cpusetCpus: r.cpusetCpus || undefined,
    cpusetMems: r.cpusetMems || undefined,
    pidsLimit: r.pidsLimit || undefined,
    blkioWeight: r.blkioWeight || undefined,
    blkioWeightDevice: r.blkioWeightDevice.map((d) => ({ ...device(d.path), weight: d.rate })),
    deviceReadBps: rates(r.deviceReadBps),
    deviceWriteBps: rates(r.deviceWriteBps),
    deviceReadIOps: rates(r.deviceReadIOps),
    deviceWriteIOps: rates(r.deviceWriteIOps),
  };
}

/** dockerd at create: with a memory limit and no swap setting, the container may swap as much again. */
export function withDefaultSwap<T extends { memory: number; memorySwap: number }>(r: T): T {
  return r.memory > 0 && r.memorySwap === 0 ? { ...r, memorySwap: r.memory * 2 } : r;
}

/**
 * `docker update`: fields sent as zero keep their value (the CLI sends every field). dockerd's
 * rule: a new memory limit above the current swap limit needs a new swap limit too.
 */
export function mergeResourceUpdate(current: ResourceSettings, change: Partial<ResourceSettings>): ResourceSettings {
  const next: ResourceSettings = { ...current };
  for (const [k, v] of Object.entries(change) as Array<[keyof ResourceSettings, ResourceSettings[keyof ResourceSettings]]>) {
    if (v === undefined || v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue;
    if (k === 'memorySwappiness' && v === -1) continue;
    (next as unknown as Record<string, unknown>)[k] = v;
  }
  if (change.memory && change.memory > 0 && !change.memorySwap && current.memorySwap > 0 && change.memory > current.memorySwap) {
    throw invalidParameter('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  return next;
}
