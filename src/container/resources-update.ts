import { invalidParameter } from '../base/engine-error.js';
import type { HostOptions } from './container-record.js';
import { parseHostResources } from './resources-wire.js';
import { emptyHostResources, mergeResourceUpdate, resourceLimits, validateResources, type ResourceSettings } from './resources.js';
import { updatableResources } from './runtime-spec.js';
import type { SpecResources } from './runtime-spec-types.js';

/** Fields of the `docker update` body skiff applies (RestartPolicy is handled by ContainerService.update). */
const UPDATABLE = new Set([
  'Memory', 'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'NanoCpus', 'CpusetCpus',
  'CpusetMems', 'BlkioWeight', 'PidsLimit', 'RestartPolicy',
]);

export interface ResourceUpdatePlan {
  /** The container's host options with the new limits. */
  host: HostOptions;
  /** False when the body changes no limit (e.g. only the restart policy). */
  changed: boolean;
  /** What `runc update --resources` gets when the container runs. */
  runtime: SpecResources;
}

const isZero = (v: unknown): boolean =>
  v === null || v === undefined || v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(isZero));

function settingsOf(h: HostOptions): ResourceSettings {
  return { ...(h.resources ?? emptyHostResources()), memory: h.memory, nanoCpus: h.nanoCpus, cpuShares: h.cpuShares, pidsLimit: h.pidsLimit };
}

/**
 * The `docker update` body (Resources fields, zero when not given) applied to a container's
 * settings, validated with dockerd's messages. Pure: the caller persists `host` and, for a
 * running container, hands `runtime` to the runtime first.
 */
export function planResourceUpdate(host: HostOptions, body: Record<string, unknown>, hostCpus: number): ResourceUpdatePlan {
  for (const [key, value] of Object.entries(body)) {
    if (UPDATABLE.has(key) || isZero(value)) continue;
    throw invalidParameter(`updating ${key} is not supported by this engine yet`);
  }
  const num = (k: string): number => (typeof body[k] === 'number' ? (body[k] as number) : 0);
  const wire = parseHostResources(body);
  const change: Partial<ResourceSettings> = {
    memory: num('Memory'),
    memoryReservation: wire.memoryReservation,
    memorySwap: wire.memorySwap,
    memorySwappiness: body.MemorySwappiness === null || body.MemorySwappiness === undefined ? -1 : wire.memorySwappiness,
    cpuShares: num('CpuShares'),
    cpuPeriod: wire.cpuPeriod,
    cpuQuota: wire.cpuQuota,
    nanoCpus: num('NanoCpus'),
    cpusetCpus: wire.cpusetCpus,
    cpusetMems: wire.cpusetMems,
    blkioWeight: wire.blkioWeight,
    pidsLimit: num('PidsLimit'),
  };
  const current = settingsOf(host);
  const next = mergeResourceUpdate(current, change);
  // Switching between --cpus and --cpu-quota: the newer one wins, as in dockerd's update.
  if (change.nanoCpus) {
    next.cpuQuota = 0;
    next.cpuPeriod = 0;
  } else if (change.cpuQuota || change.cpuPeriod) next.nanoCpus = 0;
  validateResources(next, { cpus: hostCpus }, true);
  const changed = JSON.stringify(next) !== JSON.stringify(current);
  const { memory, nanoCpus, cpuShares, pidsLimit, ...resources } = next;
  // Device throttles cannot change here (and were resolved at start): leave them out.
  const noDevices = { blkioWeightDevice: [], deviceReadBps: [], deviceWriteBps: [], deviceReadIOps: [], deviceWriteIOps: [] };
  const limits = resourceLimits({ ...next, ...noDevices }, () => {
    throw invalidParameter('device limits cannot be updated');
  });
  return {
    host: { ...host, memory, nanoCpus, cpuShares, pidsLimit, resources },
    changed,
    runtime: updatableResources(limits),
  };
}
