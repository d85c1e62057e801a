import { maxUint64, parseFlatKeyed, parseUint, type BlkioEntry, type CgroupFiles, type CgroupMetrics } from './stats-metrics.js';

/** The files a cgroup v2 sample reads, all in the container's one cgroup directory. */
export const cgroupV2Files: readonly string[] = [
  'cpu.stat',
  'memory.current',
  'memory.max',
  'memory.stat',
  'memory.events',
  'pids.current',
  'pids.max',
  'io.stat',
];

/** The memory.stat keys Docker reports for cgroup v2 (missing ones show as 0, as containerd does). */
const memoryStatKeys = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

/** io.stat lines "MAJ:MIN rbytes=N wbytes=N rios=N …" → Docker's read/write byte entries per device. */
export function parseIoStat(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!dev) continue;
    const kv = new Map(pairs.map((p) => p.split('=') as [string, string]));
    const major = Number(dev[1]);
    const minor = Number(dev[2]);
    out.push({ major, minor, op: 'read', value: parseUint(kv.get('rbytes')) ?? 0 });
    out.push({ major, minor, op: 'write', value: parseUint(kv.get('wbytes')) ?? 0 });
  }
  return out;
}

/** Docker's view of a cgroup v2 container, from the files in `cgroupV2Files`. */
export function metricsFromV2(files: CgroupFiles): CgroupMetrics {
  const out: CgroupMetrics = {};
  if (files.has('cpu.stat')) {
    const cpu = parseFlatKeyed(files.get('cpu.stat'));
    const usec = (key: string) => (cpu.get(key) ?? 0) * 1000;
    out.cpu = {
      total: usec('usage_usec'),
      kernel: usec('system_usec'),
      user: usec('user_usec'),
      throttling: {
        periods: cpu.get('nr_periods') ?? 0,
        throttledPeriods: cpu.get('nr_throttled') ?? 0,
        throttledTime: usec('throttled_usec'),
      },
    };
  }
  const usage = parseUint(files.get('memory.current'));
  if (usage !== undefined) {
    const raw = parseFlatKeyed(files.get('memory.stat'));
    const stats: Record<string, number> = {};
    for (const key of memoryStatKeys) stats[key] = raw.get(key) ?? 0;
    const events = files.get('memory.events');
    out.memory = {
      usage,
      maxUsage: 0, // cgroup v2 keeps no high-water mark Docker reports
      failcnt: events === undefined ? 0 : (parseFlatKeyed(events).get('oom') ?? 0),
      limit: parseUint(files.get('memory.max'), maxUint64) ?? 0,
      stats,
    };
  }
  const current = parseUint(files.get('pids.current'));
  if (current !== undefined) out.pids = { current, limit: parseUint(files.get('pids.max')) ?? 0 };
  if (files.has('io.stat')) {
    const entries = parseIoStat(files.get('io.stat'));
    out.blkio = entries.length > 0 ? { serviceBytes: entries } : {};
  }
  return out;
}
