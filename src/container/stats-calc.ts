import type { BlkioStatEntryJson, MemoryStatsJson, NetworkStatsJson, StatsJson } from './stats-response.js';

/**
 * The numbers `docker stats` prints, computed from one stats object exactly as the docker CLI
 * does (cli/command/container/stats_helpers.go), so skiff's CLI shows the same figures.
 */

/** CPU % between precpu_stats and cpu_stats, scaled by the number of CPUs (100% = one CPU busy). */
export function cpuPercent(s: Pick<StatsJson, 'cpu_stats' | 'precpu_stats'>): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  let online = s.cpu_stats.online_cpus ?? 0;
  if (online === 0) online = s.cpu_stats.cpu_usage.percpu_usage?.length ?? 0;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * online * 100;
  return 0;
}

/** Memory in use without the page cache that can be dropped (inactive file pages), v1 or v2. */
export function memUsageNoCache(mem: MemoryStatsJson): number {
  const usage = mem.usage ?? 0;
  const stats = mem.stats ?? {};
  const v1 = stats['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats['inactive_file'] ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

export function memPercent(limit: number, usedNoCache: number): number {
  return limit !== 0 ? (usedNoCache / limit) * 100 : 0;
}

/** Bytes read and written: the "Read"/"Write" (v1) or "read"/"write" (v2) entries of io_service_bytes_recursive. */
export function blockIo(entries: readonly BlkioStatEntryJson[] | null | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of entries ?? []) {
    const c = e.op[0];
    if (c === 'r' || c === 'R') read += e.value;
    else if (c === 'w' || c === 'W') write += e.value;
  }
  return { read, write };
}

export function networkIo(networks: Record<string, NetworkStatsJson> | undefined): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  return { rx, tx };
}

/** One row of `docker stats`, as numbers. */
export interface StatsFigures {
  id: string;
  name: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

export function statsFigures(s: StatsJson): StatsFigures {
  const memory = memUsageNoCache(s.memory_stats ?? {});
  const memoryLimit = s.memory_stats?.limit ?? 0;
  const blk = blockIo(s.blkio_stats?.io_service_bytes_recursive);
  const net = networkIo(s.networks);
  return {
    id: s.id ?? '',
    name: s.name ?? '',
    cpuPercent: cpuPercent(s),
    memory,
    memoryLimit,
    memoryPercent: memPercent(memoryLimit, memory),
    netRx: net.rx,
    netTx: net.tx,
    blockRead: blk.read,
    blockWrite: blk.write,
    pids: s.pids_stats?.current ?? 0,
  };
}
