import { invalidParameter, isEngineError, notFound } from '../../base/engine-error.js';
import type { ContainerRecord } from '../../container/container-record.js';
import type { ContainerService, WaitCondition } from '../../container/container-service.js';
import { restartPolicyError, type RestartPolicy } from '../../container/restart-policy.js';
import type { ImageRecord } from '../../image/image-config.js';
import { familiarString, parseNormalizedReference, withDefaultTag } from '../../image/reference.js';
import type { ContainerNetView } from '../../network/container-net-view.js';
import { inspectShape, summaryShape } from '../container-shape.js';
import { specFromCreate, type CreateBody } from '../create-request.js';
import type { IncomingHttpHeaders } from 'node:http';
import { directorySize } from '../../container/disk-usage.js';
import { containerPruneFilter } from '../container-prune-filters.js';
import { containerSizes } from '../system-df.js';
import { mapLimit } from '../../base/map-limit.js';
import { boolValue, checkFilterKeys, intValue, parseFilters, type Filters } from '../query.js';
import { readJsonBody, sendEmpty, sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface ContainerRouteDeps {
  containers: ContainerService;
  images: { resolve(ref: string): ImageRecord; layerDirs(id: ImageRecord['id']): string[] };
  dataRoot: string;
  /** Networking's view of a container (addresses, published ports) for inspect and ps. */
  networkView?(rec: ContainerRecord): ContainerNetView;
  /** Daemon-level refusals of a valid spec (user namespaces: dockerd's create-time checks). */
  checkCreate?(spec: ContainerRecord['spec']): void;
}

const param = (ctx: RequestContext, name: string): string => ctx.params[name] ?? '';

/** Bytes of the container's image layers; 0 once the image is gone (`rmi -f` of a used image). */
function imageSizeOf(deps: ContainerRouteDeps, rec: ContainerRecord): number {
  try {
    return deps.images.resolve(rec.spec.imageId).size;
  } catch {
    return 0;
  }
}

/** The 404 a create gets for a missing image; the CLI reacts to it by pulling. */
function resolveImageForCreate(deps: ContainerRouteDeps, ref: string): ImageRecord {
  try {
    return deps.images.resolve(ref);
  } catch (err) {
    if (!isEngineError(err, 'NotFound')) throw err;
    let shown = ref;
    try {
      shown = familiarString(withDefaultTag(parseNormalizedReference(ref)));
    } catch {
      /* an ID or prefix: shown as given */
    }
    throw notFound(`No such image: ${shown}`);
  }
}

const listFilterKeys = ['id', 'name', 'status', 'label', 'exited', 'ancestor', 'before', 'since'] as const;
const statuses = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function matchesLabel(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq === -1) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

function listFilter(filters: Filters, deps: ContainerRouteDeps): (rec: ContainerRecord) => boolean {
  checkFilterKeys(filters, listFilterKeys);
  for (const s of filters.get('status') ?? []) {
    if (!statuses.includes(s)) throw invalidParameter(`invalid filter 'status=${s}'`);
  }
  const ancestors = (filters.get('ancestor') ?? []).map((a) => {
    try {
      return deps.images.resolve(a).id;
    } catch {
      return undefined;
    }
  });
  const all = (key: string) => filters.get(key) ?? [];
  return (rec) => {
    const ids = all('id');
    if (ids.length && !ids.some((id) => rec.id.startsWith(id))) return false;
    const names = all('name');
    if (names.length && !names.some((n) => new RegExp(n).test(`/${rec.name}`))) return false;
    const st = all('status');
    if (st.length && !st.includes(rec.state.status)) return false;
    if (!all('label').every((l) => matchesLabel(rec.spec.labels, l))) return false;
    const exited = all('exited');
    if (exited.length && !(rec.state.status === 'exited' && exited.includes(String(rec.state.exitCode)))) return false;
    if (filters.has('ancestor') && !ancestors.includes(rec.spec.imageId)) return false;
    return true;
  };
}

/**
 * moby's test for a start body (a HostConfig, removed in API 1.24): more than 7 bytes ("a
 * non-nil JSON object is at least 7 characters") or a chunked body of unknown length. `{}` and
 * `null`, which some clients send, pass.
 */
export function startHasBody(headers: IncomingHttpHeaders): boolean {
  const len = headers['content-length'];
  if (len !== undefined) return Number(len) > 7;
  return /chunked/i.test(String(headers['transfer-encoding'] ?? ''));
}

/**
 * `docker update` sends every resource field, zero when not given; only the restart policy is
 * applied for now, and a resource change is refused rather than silently ignored.
 */
export function parseUpdate(body: Record<string, unknown>): { restartPolicy?: RestartPolicy } {
  const rp = body.RestartPolicy as { Name?: unknown; MaximumRetryCount?: unknown } | undefined;
  if (!rp || typeof rp.Name !== 'string' || rp.Name === '') return {};
  const bad = restartPolicyError(rp);
  if (bad) throw invalidParameter(bad);
  return { restartPolicy: { name: rp.Name, maximumRetryCount: typeof rp.MaximumRetryCount === 'number' ? rp.MaximumRetryCount : 0 } };
}

/** The CLI's "not set": 0, "", false, null, [] (and -1 for MemorySwappiness-like fields is not sent by update). */
function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === 0 || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isZero);
  return false;
}

export function containerRoutes(deps: ContainerRouteDeps): Route[] {
  const { containers } = deps;
  const inspect = (rec: ContainerRecord) => {
    let lower: string[] = [];
    try {
      lower = deps.images.layerDirs(rec.spec.imageId);
    } catch {
      /* image gone: nothing to show */
    }
    return inspectShape(rec, containers.paths(rec.id), deps.dataRoot, lower, deps.networkView?.(rec));
  };

  return [
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        const body = await readJsonBody<CreateBody>(ctx);
        if (!body || typeof body !== 'object') throw invalidParameter('config cannot be empty in order to create a container');
        if (!body.Image) throw invalidParameter('No image specified');
        const image = resolveImageForCreate(deps, body.Image);
        const spec = specFromCreate(body, image);
        deps.checkCreate?.(spec);
        const { HostConfig, NetworkingConfig: _n, ...config } = body;
        const name = ctx.query.get('name') || undefined;
        const rec = await containers.create(spec, { config, hostConfig: HostConfig ?? {} }, name);
        sendJson(ctx, 201, { Id: rec.id, Warnings: [] });
      },
    },
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (ctx) => {
        const all = boolValue(ctx.query.get('all'));
        const limit = intValue(ctx.query.get('limit'), 'limit') ?? -1;
        const keep = listFilter(parseFilters(ctx.query.get('filters')), deps);
        // Without -a: every container whose process is up, paused and restarting ones included (as Docker).
        const up = (r: ContainerRecord) => ['running', 'paused', 'restarting'].includes(r.state.status);
        let recs = containers.list().filter((r) => (all || limit > 0 || up(r)) && keep(r));
        if (limit > 0) recs = recs.slice(0, limit);
        const now = Date.now();
        const shapes = recs.map((r) => summaryShape(r, now, deps.networkView?.(r), deps.dataRoot));
        if (!boolValue(ctx.query.get('size'))) return sendJson(ctx, 200, shapes);
        // `ps -s`: the read-write layer walked (a few at once), plus the image for the virtual size.
        const sizes = await mapLimit(recs, 4, async (r) => containerSizes(await directorySize(containers.paths(r.id).upper, ctx.signal), imageSizeOf(deps, r)));
        sendJson(ctx, 200, shapes.map((s, i) => ({ ...s, ...sizes[i] })));
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (ctx) => {
        const match = containerPruneFilter(parseFilters(ctx.query.get('filters')), Date.now());
        const { deleted, reclaimed } = await containers.prune(match, (rec) => directorySize(containers.paths(rec.id).upper));
        // dockerd's nil slice: null, not [], when nothing went.
        sendJson(ctx, 200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed });
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/json',
      handler: (ctx) => sendJson(ctx, 200, inspect(containers.resolve(param(ctx, 'id')))),
    },
    {
      method: 'POST',
      path: '/containers/{id}/start',
      handler: async (ctx) => {
        if (ctx.query.get('checkpoint')) throw invalidParameter('checkpoints are not supported');
        if (startHasBody(ctx.req.headers)) throw invalidParameter('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
        await containers.start(param(ctx, 'id'));
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/stop',
      handler: async (ctx) => {
        const timeout = intValue(ctx.query.get('t'), 't');
        await containers.stop(param(ctx, 'id'), { timeout, signal: ctx.query.get('signal') ?? undefined });
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/restart',
      handler: async (ctx) => {
        const timeout = intValue(ctx.query.get('t'), 't');
        await containers.restart(param(ctx, 'id'), { timeout, signal: ctx.query.get('signal') ?? undefined });
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/pause',
      handler: async (ctx) => {
        await containers.pause(param(ctx, 'id'));
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/unpause',
      handler: async (ctx) => {
        await containers.unpause(param(ctx, 'id'));
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/update',
      handler: async (ctx) => {
        const body = (await readJsonBody<Record<string, unknown>>(ctx)) ?? {};
        const restart = parseUpdate(body);
        // Limits first: they are validated (and refused) before anything is saved.
        await containers.updateResources(param(ctx, 'id'), body);
        containers.update(param(ctx, 'id'), restart);
        sendJson(ctx, 200, { Warnings: [] });
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/kill',
      handler: async (ctx) => {
        await containers.kill(param(ctx, 'id'), ctx.query.get('signal') || 'SIGKILL');
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/rename',
      handler: (ctx) => {
        const name = ctx.query.get('name');
        if (!name) throw invalidParameter('Neither old nor new names may be empty');
        containers.rename(param(ctx, 'id'), name);
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'DELETE',
      path: '/containers/{id}',
      handler: async (ctx) => {
        if (boolValue(ctx.query.get('link'))) throw invalidParameter('links are not supported by this engine');
        await containers.remove(param(ctx, 'id'), {
          force: boolValue(ctx.query.get('force')),
          removeVolumes: boolValue(ctx.query.get('v')),
        });
        sendEmpty(ctx, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/wait',
      handler: async (ctx) => {
        const raw = ctx.query.get('condition') || 'not-running';
        if (!['not-running', 'next-exit', 'removed'].includes(raw)) throw invalidParameter(`invalid condition: "${raw}"`);
        const rec = containers.resolve(param(ctx, 'id'));
        const waiting = containers.waitFor(rec.id, raw as WaitCondition, ctx.signal);
        // The CLI starts the container only after these headers arrive: send them now.
        const res = ctx.res!;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        try {
          const code = await waiting;
          const after = (() => {
            try {
              return containers.resolve(rec.id).state.error;
            } catch {
              return '';
            }
          })();
          res.end(JSON.stringify({ StatusCode: code, Error: after ? { Message: after } : null }) + '\n');
        } catch (err) {
          if (ctx.signal.aborted) return;
          res.end(JSON.stringify({ StatusCode: -1, Error: { Message: (err as Error).message } }) + '\n');
        }
      },
    },
  ];
}
