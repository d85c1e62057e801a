import { invalidParameter } from '../../base/engine-error.js';
import type { VolumeFilters, VolumeService } from '../../volume/volume-service.js';
import { boolValue, checkFilterKeys, parseFilters, type Filters } from '../query.js';
import { readJsonBody, sendEmpty, sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface VolumeRouteDeps {
  volumes: VolumeService;
  /** Records engine events (`volume create`, `volume destroy`), as dockerd does. */
  events?: { record(type: string, action: string, id: string, attributes: Record<string, string>): void };
}

function volumeFilters(filters: Filters, allowed: readonly string[]): VolumeFilters & { all: boolean } {
  checkFilterKeys(filters, allowed);
  const dangling = filters.get('dangling') ?? [];
  let d: boolean | undefined;
  for (const v of dangling) {
    if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalidParameter(`invalid filter 'dangling=${v}'`);
    d = v === 'true' || v === '1';
  }
  const all = (filters.get('all') ?? []).some((v) => v === 'true' || v === '1');
  return { dangling: d, names: filters.get('name') ?? [], labels: filters.get('label') ?? [], drivers: filters.get('driver') ?? [], all };
}

const param = (ctx: RequestContext, name: string) => ctx.params[name] ?? '';

/** `docker volume create/ls/inspect/rm/prune`. */
export function volumeRoutes(deps: VolumeRouteDeps): Route[] {
  const { volumes } = deps;
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: (ctx) => {
        const f = volumeFilters(parseFilters(ctx.query.get('filters')), ['dangling', 'name', 'label', 'driver']);
        sendJson(ctx, 200, { Volumes: volumes.list(f).map((v) => volumes.shape(v)), Warnings: null });
      },
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async (ctx) => {
        const body = (await readJsonBody<{ Name?: unknown; Driver?: unknown; DriverOpts?: unknown; Labels?: unknown }>(ctx)) ?? {};
        const str = (v: unknown, f: string) => {
          if (v !== undefined && v !== null && typeof v !== 'string') throw invalidParameter(`${f} must be a string`);
          return (v as string | undefined | null) ?? '';
        };
        const map = (v: unknown, f: string) => {
          if (v === undefined || v === null) return null;
          if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) throw invalidParameter(`${f} must map strings to strings`);
          return v as Record<string, string>;
        };
        const name = str(body.Name, 'Name');
        const existed = name !== '' && volumes.store.get(name) !== undefined;
        const v = volumes.create(name || undefined, { driver: str(body.Driver, 'Driver'), labels: map(body.Labels, 'Labels'), options: map(body.DriverOpts, 'DriverOpts') });
        if (!existed) deps.events?.record('volume', 'create', v.name, { driver: 'local' });
        sendJson(ctx, 201, volumes.shape(v));
      },
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: async (ctx) => {
        const f = volumeFilters(parseFilters(ctx.query.get('filters')), ['label', 'all']);
        const r = await volumes.prune(f, f.all);
        for (const name of r.deleted) deps.events?.record('volume', 'destroy', name, { driver: 'local' });
        sendJson(ctx, 200, { VolumesDeleted: r.deleted, SpaceReclaimed: r.reclaimed });
      },
    },
    {
      method: 'GET',
      path: '/volumes/{name}',
      handler: (ctx) => sendJson(ctx, 200, volumes.shape(volumes.store.require(param(ctx, 'name')))),
    },
    {
      method: 'DELETE',
      path: '/volumes/{name}',
      handler: async (ctx) => {
        const name = param(ctx, 'name');
        const existed = volumes.store.get(name) !== undefined;
        await volumes.remove(name, boolValue(ctx.query.get('force')));
        if (existed) deps.events?.record('volume', 'destroy', name, { driver: 'local' });
        sendEmpty(ctx, 204);
      },
    },
  ];
}
