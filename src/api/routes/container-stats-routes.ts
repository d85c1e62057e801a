import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, invalidParameter, isEngineError } from '../../base/engine-error.js';
import type { ContainerRecord } from '../../container/container-record.js';
import type { ContainerService } from '../../container/container-service.js';
import { emptyStats, statsResponse, type CpuStatsJson, type StatsJson } from '../../container/stats-response.js';
import { validatePsArgs } from '../../container/stats-ps-output.js';
import { sampleStats } from '../../container/stats-sampler.js';
import { containerTop } from '../../container/stats-top.js';
import type { StatsHost } from '../../sys/cgroup-stats.js';
import { compareVersions } from '../api-version.js';
import { boolOr } from '../query.js';
import { sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface StatsRouteDeps {
  containers: Pick<ContainerService, 'resolve' | 'events'>;
  host: StatsHost;
}

/** dockerd's collector interval: one stats object per second. */
const intervalMs = 1000;

/** Docker counts a paused container as running (its processes and cgroup are there). */
const hasProcesses = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused';

type Previous = { read: string; cpu: CpuStatsJson };

export function containerStatsRoutes(deps: StatsRouteDeps): Route[] {
  const { containers, host } = deps;

  /** One stats object; `previous` becomes precpu_stats/preread, as dockerd's stream does (also for empty frames). */
  async function frame(rec: ContainerRecord, previous: Previous | undefined): Promise<StatsJson> {
    const sample = hasProcesses(rec)
      ? await sampleStats(host, { id: rec.id, pid: rec.state.pid, networkMode: rec.spec.host.networkMode })
      : undefined;
    if (sample) return statsResponse(rec.name, rec.id, sample, previous);
    const empty = emptyStats(rec.name, rec.id);
    if (previous) {
      empty.preread = previous.read;
      empty.precpu_stats = previous.cpu;
    }
    return empty;
  }

  /** The record now, or undefined once it was removed. */
  function current(id: string): ContainerRecord | undefined {
    try {
      return containers.resolve(id);
    } catch (err) {
      if (isEngineError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  return [
    {
      method: 'GET',
      path: '/containers/{id}/top',
      handler: async (ctx: RequestContext) => {
        const psArgs = ctx.query.get('ps_args') || '-ef';
        validatePsArgs(psArgs);
        const rec = containers.resolve(ctx.params['id'] ?? '');
        if (rec.state.status === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
        if (!hasProcesses(rec)) throw conflict(`container ${rec.id} is not running`);
        sendJson(ctx, 200, await containerTop(host, rec.id, psArgs));
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/stats',
      handler: async (ctx: RequestContext) => {
        const rec = containers.resolve(ctx.params['id'] ?? '');
        const q = ctx.query;
        const stream = boolOr(q.get('stream'), true);
        const oneShot = compareVersions(ctx.apiVersion, '1.41') >= 0 && boolOr(q.get('one-shot'), false);
        if (stream && oneShot) throw invalidParameter('cannot have stream=true and one-shot=true');
        if (!stream && (oneShot || !hasProcesses(rec))) {
          sendJson(ctx, 200, await frame(rec, undefined));
          return;
        }
        const res = ctx.res!;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        let removed = false;
        const onRemoved = (removedId: string) => {
          if (removedId === rec.id) removed = true;
        };
        containers.events.on('removed', onRemoved);
        let previous: Previous | undefined;
        try {
          // Without stream, the first sample only primes precpu_stats so the CPU % is real.
          for (let n = 0; !ctx.signal.aborted; n++) {
            const now = current(rec.id);
            if (now === undefined || removed) break;
            const obj = await frame(now, previous);
            previous = { read: obj.read, cpu: obj.cpu_stats };
            if (stream || n > 0) res.write(JSON.stringify(obj) + '\n');
            if (!stream && n > 0) break;
            await sleep(intervalMs, undefined, { signal: ctx.signal }).catch(() => {});
          }
        } finally {
          containers.events.off('removed', onRemoved);
          res.end();
        }
      },
    },
  ];
}
