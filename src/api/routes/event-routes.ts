import { invalidParameter } from '../../base/engine-error.js';
import { checkEventFilters, eventMatches } from '../../container/event-filter.js';
import type { EngineEvent, EventLog } from '../../container/event-log.js';
import { parseFilters } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface EventRouteDeps {
  eventLog: EventLog;
}

/**
 * A `since`/`until` value as nanoseconds: Docker's "seconds[.nanoseconds]" (what the CLI sends
 * after turning durations and dates into it), or an RFC 3339 time.
 */
export function parseEventTime(v: string | null, name: string): bigint {
  if (v === null || v === '') return 0n;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (m) return BigInt(m[1] ?? '0') * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw invalidParameter(`failed to parse value as time or duration: "${v}" (${name})`);
  return BigInt(ms) * 1_000_000n;
}

/** Docker's events.Message JSON; timeNano is written as an exact integer. */
export function eventLine(e: EngineEvent): string {
  const seconds = e.timeNano / 1_000_000_000n;
  const head: Record<string, unknown> =
    e.type === 'container'
      ? { status: e.action, id: e.actor.id, from: e.actor.attributes.image ?? '' }
      : {};
  const body = {
    ...head,
    Type: e.type,
    Action: e.action,
    Actor: { ID: e.actor.id, Attributes: e.actor.attributes },
    scope: 'local',
    time: Number(seconds),
  };
  return `${JSON.stringify(body).slice(0, -1)},"timeNano":${e.timeNano.toString()}}\n`;
}

export function eventRoutes(deps: EventRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      handler: async (ctx: RequestContext) => {
        const q = ctx.query;
        const since = parseEventTime(q.get('since'), 'since');
        const until = parseEventTime(q.get('until'), 'until');
        const filters = parseFilters(q.get('filters'));
        checkEventFilters(filters);
        const res = ctx.res!;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const send = (e: EngineEvent) => {
          if (eventMatches(filters, e)) res.write(eventLine(e));
        };
        const nowNano = BigInt(Date.now()) * 1_000_000n;
        // Replay and subscribe in one tick, so no event falls between them.
        // As moby: the buffer is replayed when either bound is given (only `until`: from its start).
        const bounded = Boolean(q.get('since')) || Boolean(q.get('until'));
        const backlog = bounded ? deps.eventLog.replay(since, until) : [];
        if (until !== 0n && until <= nowNano) {
          for (const e of backlog) send(e);
          res.end();
          return;
        }
        await new Promise<void>((resolve) => {
          const off = deps.eventLog.subscribe((e) => {
            if (until !== 0n && e.timeNano > until) return;
            send(e);
          });
          let timer: NodeJS.Timeout | undefined;
          const finish = () => {
            off();
            if (timer) clearTimeout(timer);
            ctx.signal.removeEventListener('abort', finish);
            resolve();
          };
          if (until !== 0n) timer = setTimeout(finish, Number((until - nowNano) / 1_000_000n) + 1);
          ctx.signal.addEventListener('abort', finish, { once: true });
          for (const e of backlog) send(e);
        });
        if (!res.destroyed) res.end();
      },
    },
  ];
}
