import {
  parseFlatKeyed,
  parseUint,
  type BlkioEntry,
  type BlkioMetrics,
  type CgroupFiles,
  type CgroupMetrics,
  type CpuMetrics,
  type MemoryMetrics,
} from './stats-metrics.js';

/** USER_HZ: cpuacct.stat counts in these ticks. */
const clockTicksPerSecond = 100;

/** CFQ/BFQ per-device lists, in the order of Docker's blkio_stats. */
const cfqFiles: [keyof BlkioMetrics, string][] = [
  ['serviceBytes', 'blkio.io_service_bytes_recursive'],
  ['serviced', 'blkio.io_serviced_recursive'],
  ['queued', 'blkio.io_queued_recursive'],
  ['serviceTime', 'blkio.io_service_time_recursive'],
  ['waitTime', 'blkio.io_wait_time_recursive'],
  ['merged', 'blkio.io_merged_recursive'],
  ['time', 'blkio.time_recursive'],
  ['sectors', 'blkio.sectors_recursive'],
];

/**
 * The files a cgroup v1 sample reads; the part before the first dot names the controller
 * (cpuacct, cpu, memory, pids, blkio), whose hierarchy holds the file.
 */
export const cgroupV1Files: readonly string[] = [
  'cpuacct.usage',
  'cpuacct.usage_percpu',
  'cpuacct.stat',
  'cpu.stat',
  'memory.usage_in_bytes',
  'memory.max_usage_in_bytes',
  'memory.failcnt',
  'memory.limit_in_bytes',
  'memory.stat',
  'pids.current',
  'pids.max',
  'blkio.throttle.io_service_bytes_recursive',
  'blkio.throttle.io_serviced_recursive',
  ...cfqFiles.map(([, f]) => f),
];

/** The memory.stat keys Docker reports for cgroup v1 (a fixed set; others are dropped). */
const memoryStatKeys = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable',
  'hierarchical_memory_limit', 'hierarchical_memsw_limit',
];
const memoryStatTotalKeys = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable',
].map((k) => `total_${k}`);

/**
 * Lines "MAJ:MIN Op value" (or "MAJ:MIN value" for time/sectors); the device-less
 * "Total N" summary line is skipped, as containerd does.
 */
export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2 || fields[0] === 'Total') continue;
    const dev = /^(\d+):(\d+)$/.exec(fields[0] ?? '');
    const value = parseUint(fields[fields.length - 1]);
    if (!dev || value === undefined) continue;
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), op: fields.length >= 3 ? (fields[1] ?? '') : '', value });
  }
  return out;
}

function cpuV1(files: CgroupFiles): CpuMetrics | undefined {
  const total = parseUint(files.get('cpuacct.usage'));
  if (total === undefined) return undefined;
  const perCpu = (files.get('cpuacct.usage_percpu') ?? '').trim().split(/\s+/).filter((s) => s !== '').map(Number);
  const stat = parseFlatKeyed(files.get('cpuacct.stat'));
  const ticks = (key: string) => Math.trunc(((stat.get(key) ?? 0) * 1e9) / clockTicksPerSecond);
  const throttle = parseFlatKeyed(files.get('cpu.stat'));
  return {
    total,
    perCpu,
    kernel: ticks('system'),
    user: ticks('user'),
    throttling: {
      periods: throttle.get('nr_periods') ?? 0,
      throttledPeriods: throttle.get('nr_throttled') ?? 0,
      throttledTime: throttle.get('throttled_time') ?? 0,
    },
  };
}

function memoryV1(files: CgroupFiles): MemoryMetrics | undefined {
  const usage = parseUint(files.get('memory.usage_in_bytes'));
  if (usage === undefined) return undefined;
  const raw = parseFlatKeyed(files.get('memory.stat'));
  const stats: Record<string, number> = {};
  for (const key of [...memoryStatKeys, ...memoryStatTotalKeys]) stats[key] = raw.get(key) ?? 0;
  return {
    usage,
    maxUsage: parseUint(files.get('memory.max_usage_in_bytes')) ?? 0,
    failcnt: parseUint(files.get('memory.failcnt')) ?? 0,
    limit: parseUint(files.get('memory.limit_in_bytes')) ?? 0,
    stats,
  };
}

function blkioV1(files: CgroupFiles): BlkioMetrics {
  // CFQ/BFQ lists when the kernel has them and they hold anything; else the throttle lists.
  const out: BlkioMetrics = {};
  let size = 0;
  if (files.has('blkio.io_serviced_recursive')) {
    for (const [key, file] of cfqFiles) {
      const entries = parseBlkioV1(files.get(file));
      out[key] = entries;
      size += entries.length;
    }
  }
  if (size > 0) return out;
  const empty: BlkioMetrics = {};
  for (const [key] of cfqFiles) empty[key] = [];
  empty.serviceBytes = parseBlkioV1(files.get('blkio.throttle.io_service_bytes_recursive'));
  empty.serviced = parseBlkioV1(files.get('blkio.throttle.io_serviced_recursive'));
  return empty;
}

/** Docker's view of a cgroup v1 container, from the files in `cgroupV1Files`. */
export function metricsFromV1(files: CgroupFiles): CgroupMetrics {
  const out: CgroupMetrics = {};
  const cpu = cpuV1(files);
  if (cpu) out.cpu = cpu;
  const memory = memoryV1(files);
  if (memory) out.memory = memory;
  const current = parseUint(files.get('pids.current'));
  if (current !== undefined) out.pids = { current, limit: parseUint(files.get('pids.max')) ?? 0 };
  out.blkio = blkioV1(files);
  return out;
}
