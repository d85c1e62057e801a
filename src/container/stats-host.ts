/** Parsers for the host-side /proc files a stats sample needs (pure: they take file contents). */

/** USER_HZ: /proc/stat counts in these ticks. */
const clockTicksPerSecond = 100;

export interface SystemCpu {
  /** Host CPU time of all CPUs since boot, in nanoseconds (Docker's system_cpu_usage). */
  systemUsage: number;
  /** Number of "cpuN" lines (Docker's online_cpus). */
  onlineCpus: number;
}

/**
 * The aggregate "cpu" line of /proc/stat: user+nice+system+idle+iowait+irq+softirq ticks as
 * nanoseconds, as dockerd computes it (steal and guest are left out).
 */
export function parseProcStat(text: string): SystemCpu {
  let systemUsage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) break;
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'cpu') {
      if (parts.length < 8) throw new Error('invalid number of cpu fields');
      const ticks = parts.slice(1, 8).reduce((sum, v) => sum + Number(v), 0);
      systemUsage = (ticks * 1e9) / clockTicksPerSecond;
    } else if (/^cpu\d+$/.test(parts[0] ?? '')) onlineCpus++;
  }
  return { systemUsage, onlineCpus };
}

export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/**
 * /proc/<pid>/net/dev of a process in the container's network namespace: counters per
 * interface. Loopback is left out: Docker reports only the container's network endpoints.
 */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo' || name === '') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 12 || f.some((n) => !Number.isFinite(n))) continue;
    const at = (i: number) => f[i] ?? 0;
    out.set(name, {
      rxBytes: at(0),
      rxPackets: at(1),
      rxErrors: at(2),
      rxDropped: at(3),
      txBytes: at(8),
      txPackets: at(9),
      txErrors: at(10),
      txDropped: at(11),
    });
  }
  return out;
}

/** MemTotal of /proc/meminfo in bytes (0 when absent): the limit shown for an unlimited container. */
export function parseMemTotal(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
