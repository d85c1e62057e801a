import { rfc3339Nano } from '../base/rfc3339.js';
import type { StatsHost } from '../sys/cgroup-stats.js';
import { cgroupV1Files, metricsFromV1 } from './stats-cgroup-v1.js';
import { cgroupV2Files, metricsFromV2 } from './stats-cgroup-v2.js';
import { parseMemTotal, parseNetDev, parseProcStat } from './stats-host.js';
import type { StatsSample } from './stats-response.js';

export interface StatsTarget {
  id: string;
  /** The container's init as the host sees it; its /proc/<pid>/net/dev shows the container's netns. */
  pid: number;
  /** HostConfig.NetworkMode: "host" shares the host's interfaces, which Docker does not report. */
  networkMode: string;
}

/** runc's cgroup for a skiff container (runtime-spec.ts sets the same). */
export const cgroupPathOf = (id: string): string => `/skiff/${id}`;

/**
 * One stats sample of a running container, or undefined when its cgroup is gone (it stopped
 * between the caller's look and the read): the caller then sends Docker's empty stats.
 */
export async function sampleStats(host: StatsHost, target: StatsTarget, now: () => number = Date.now): Promise<StatsSample | undefined> {
  const version = host.cgroupVersion();
  const files = await host.readCgroupFiles(cgroupPathOf(target.id), version === 1 ? cgroupV1Files : cgroupV2Files);
  if (files.size === 0) return undefined;
  // The host's CPU time is read right after the cgroup's so the two deltas cover the same span.
  const read = rfc3339Nano(now());
  const [procStat, meminfo, netDev] = await Promise.all([
    host.readText('/proc/stat'),
    host.readText('/proc/meminfo'),
    target.networkMode !== 'host' && target.pid > 0 ? host.readText(`/proc/${target.pid}/net/dev`) : Promise.resolve(undefined),
  ]);
  return {
    read,
    metrics: version === 1 ? metricsFromV1(files) : metricsFromV2(files),
    system: procStat === undefined ? { systemUsage: 0, onlineCpus: 0 } : parseProcStat(procStat),
    networks: netDev === undefined ? undefined : parseNetDev(netDev),
    machineMemory: meminfo === undefined ? 0 : parseMemTotal(meminfo),
  };
}
