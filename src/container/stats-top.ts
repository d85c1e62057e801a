import { systemError } from '../base/engine-error.js';
import type { StatsHost } from '../sys/cgroup-stats.js';
import { cgroupPathOf } from './stats-sampler.js';
import { parsePsOutput, psArgv, psPidsArg, type TopResponse } from './stats-ps-output.js';

/**
 * `docker top`: the host's ps, restricted to the container's processes (its cgroup's pids,
 * including exec'd ones). Call validatePsArgs first, and only for a running container.
 */
export async function containerTop(host: StatsHost, id: string, psArgs: string): Promise<TopResponse> {
  const pids = await host.cgroupPids(cgroupPathOf(id));
  const args = psArgv(psArgs);
  let result = await host.ps([...args, psPidsArg(pids)]);
  // Some ps options (f, for one) refuse -q: then ps lists everything and the parser filters.
  if (!result.ok) result = await host.ps(args);
  if (!result.ok) throw systemError(`ps: ${result.message}`);
  return parsePsOutput(result.stdout, pids);
}
