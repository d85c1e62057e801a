import { zeroTime } from './container-record.js';
import type { InterfaceCounters, SystemCpu } from './stats-host.js';
import type { BlkioEntry, BlkioMetrics, CgroupMetrics, CpuMetrics } from './stats-metrics.js';

/**
 * Docker's stats JSON (GET /containers/{id}/stats), field for field as dockerd encodes it:
 * Go's omitempty drops zero numbers and empty maps, but never nested structs, and blkio lists
 * are null when the runtime gave none.
 */
export interface CpuStatsJson {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface BlkioStatEntryJson {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface MemoryStatsJson {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export interface NetworkStatsJson {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface StatsJson {
  name?: string;
  id?: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<(typeof blkioKeys)[number][1], BlkioStatEntryJson[] | null>;
  num_procs: number;
  storage_stats: Record<string, number>;
  cpu_stats: CpuStatsJson;
  precpu_stats: CpuStatsJson;
  memory_stats: MemoryStatsJson;
  networks?: Record<string, NetworkStatsJson>;
}

const blkioKeys = [
  ['serviceBytes', 'io_service_bytes_recursive'],
  ['serviced', 'io_serviced_recursive'],
  ['queued', 'io_queue_recursive'],
  ['serviceTime', 'io_service_time_recursive'],
  ['waitTime', 'io_wait_time_recursive'],
  ['merged', 'io_merged_recursive'],
  ['time', 'io_time_recursive'],
  ['sectors', 'sectors_recursive'],
] as const satisfies readonly (readonly [keyof BlkioMetrics, string])[];

/** One sample of a running container: its cgroup counters and the host's, taken together. */
export interface StatsSample {
  /** When it was taken, RFC 3339 with nanoseconds. */
  read: string;
  metrics: CgroupMetrics;
  system: SystemCpu;
  /** Interfaces of the container's network namespace; undefined when it has none of its own. */
  networks: Map<string, InterfaceCounters> | undefined;
  /** Host memory in bytes: the limit shown when the cgroup's is larger (unlimited). */
  machineMemory: number;
}

export function zeroCpuStats(): CpuStatsJson {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function blkioJson(blkio: BlkioMetrics | undefined): StatsJson['blkio_stats'] {
  const list = (entries: BlkioEntry[] | undefined) =>
    entries === undefined ? null : entries.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));
  const out = {} as StatsJson['blkio_stats'];
  for (const [key, wire] of blkioKeys) out[wire] = list(blkio?.[key]);
  return out;
}

/** What dockerd sends for a container it has no numbers for (stopped, or gone mid-sample). */
export function emptyStats(name: string, id: string): StatsJson {
  return {
    name: `/${name}`,
    id,
    read: zeroTime,
    preread: zeroTime,
    pids_stats: {},
    blkio_stats: blkioJson(undefined),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpuStats(),
    precpu_stats: zeroCpuStats(),
    memory_stats: {},
  };
}

const sortedRecord = <T>(entries: Iterable<[string, T]>): Record<string, T> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Sets a number only when non-zero: Go's omitempty. */
function omitZero<T extends object, K extends keyof T>(obj: T, key: K, value: number): void {
  if (value !== 0) (obj as Record<K, number>)[key] = value;
}

/** cpu_stats in Go's field order: cpu_usage, system_cpu_usage, online_cpus, throttling_data. */
function cpuJson(c: CpuMetrics | undefined, system: SystemCpu): CpuStatsJson {
  const usage = { total_usage: c?.total ?? 0 } as CpuStatsJson['cpu_usage'];
  if (c?.perCpu && c.perCpu.length > 0) usage.percpu_usage = c.perCpu;
  usage.usage_in_kernelmode = c?.kernel ?? 0;
  usage.usage_in_usermode = c?.user ?? 0;
  const out = { cpu_usage: usage } as CpuStatsJson;
  omitZero(out, 'system_cpu_usage', system.systemUsage);
  omitZero(out, 'online_cpus', system.onlineCpus);
  out.throttling_data = {
    periods: c?.throttling.periods ?? 0,
    throttled_periods: c?.throttling.throttledPeriods ?? 0,
    throttled_time: c?.throttling.throttledTime ?? 0,
  };
  return out;
}

/** Docker's stats object for one sample; `previous` fills precpu_stats/preread (streams and two-sample reads). */
export function statsResponse(
  name: string,
  id: string,
  sample: StatsSample,
  previous?: { read: string; cpu: CpuStatsJson },
): StatsJson {
  const { metrics } = sample;
  const memory: MemoryStatsJson = {};
  if (metrics.memory) {
    const m = metrics.memory;
    const limit = sample.machineMemory > 0 && m.limit > sample.machineMemory ? sample.machineMemory : m.limit;
    omitZero(memory, 'usage', m.usage);
    omitZero(memory, 'max_usage', m.maxUsage);
    memory.stats = sortedRecord(Object.entries(m.stats));
    omitZero(memory, 'failcnt', m.failcnt);
    omitZero(memory, 'limit', limit);
  }
  const pids: StatsJson['pids_stats'] = {};
  if (metrics.pids) {
    omitZero(pids, 'current', metrics.pids.current);
    omitZero(pids, 'limit', metrics.pids.limit);
  }
  const out: StatsJson = {
    name: `/${name}`,
    id,
    read: sample.read,
    preread: previous?.read ?? zeroTime,
    pids_stats: pids,
    blkio_stats: blkioJson(metrics.blkio),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuJson(metrics.cpu, sample.system),
    precpu_stats: previous?.cpu ?? zeroCpuStats(),
    memory_stats: memory,
  };
  if (sample.networks && sample.networks.size > 0) {
    out.networks = sortedRecord(
      [...sample.networks].map(([ifName, n]): [string, NetworkStatsJson] => [
        ifName,
        {
          rx_bytes: n.rxBytes,
          rx_packets: n.rxPackets,
          rx_errors: n.rxErrors,
          rx_dropped: n.rxDropped,
          tx_bytes: n.txBytes,
          tx_packets: n.txPackets,
          tx_errors: n.txErrors,
          tx_dropped: n.txDropped,
        },
      ]),
    );
  }
  return out;
}
