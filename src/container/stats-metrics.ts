/**
 * A container's resource counters as read from its cgroup, in the units Docker reports
 * (nanoseconds, bytes), whatever the cgroup version. Parsers in stats-cgroup-v1/v2 build it
 * from file contents; stats-response turns it into Docker's stats JSON.
 */
export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Docker's blkio lists; v2 fills only serviceBytes, the rest stay null on the wire. */
export interface BlkioMetrics {
  serviceBytes?: BlkioEntry[];
  serviced?: BlkioEntry[];
  queued?: BlkioEntry[];
  serviceTime?: BlkioEntry[];
  waitTime?: BlkioEntry[];
  merged?: BlkioEntry[];
  time?: BlkioEntry[];
  sectors?: BlkioEntry[];
}

export interface CpuMetrics {
  total: number;
  /** Per-CPU usage; cgroup v1 only. */
  perCpu?: number[];
  kernel: number;
  user: number;
  throttling: { periods: number; throttledPeriods: number; throttledTime: number };
}

export interface MemoryMetrics {
  usage: number;
  maxUsage: number;
  failcnt: number;
  /** The cgroup's limit; "no limit" shows as a huge number, clamped to host memory later. */
  limit: number;
  stats: Record<string, number>;
}

export interface CgroupMetrics {
  cpu?: CpuMetrics;
  memory?: MemoryMetrics;
  pids?: { current: number; limit: number };
  blkio?: BlkioMetrics;
}

/** File name (e.g. "memory.stat") → its content; absent when the file could not be read. */
export type CgroupFiles = ReadonlyMap<string, string>;

/** Largest uint64, which cgroup v2 means by "max" (containerd reports it that way). */
export const maxUint64 = 2 ** 64; // never sent as is: the memory limit is clamped to host memory

/** A single unsigned number file; "max" is `whenMax`; missing or garbage is undefined. */
export function parseUint(text: string | undefined, whenMax = 0): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'max') return whenMax;
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events). */
export function parseFlatKeyed(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}
