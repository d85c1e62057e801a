import type { Readable } from 'node:stream';
import { EngineError, invalidParameter, notFound } from '../../base/engine-error.js';
import type { ImageRecord } from '../../image/image-config.js';
import type { ImageStore } from '../../image/image-store.js';
import type { EventLog } from '../../container/event-log.js';
import { parseNormalizedReference, familiarString, withDefaultTag } from '../../image/reference.js';
import { boolValue, checkFilterKeys, parseFilters } from '../query.js';
import { imagePruneFilters } from '../image-prune-filters.js';
import { pruneImages } from '../../image/image-prune.js';
import { sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { statusOf } from '../status-of.js';
import { withLegacyImageFields } from '../image-inspect-legacy.js';

export interface ImageRouteDeps {
  images: ImageStore;
  imageInUse(imageId: string): { containerId: string; running: boolean } | undefined;
  /** The engine's event log, for image tag/untag/delete/import events (GET /events). */
  events?: Pick<EventLog, 'record'>;
  /** `POST /images/create?fromImage=…` (a pull from a registry); without it pulls are refused. */
  pull?: (ctx: RequestContext) => Promise<void> | void;
}

const param = (ctx: RequestContext, name: string): string => ctx.params[name] ?? '';

/** A JSON-lines progress stream as moby's streamformatter writes it (objects separated by \r\n). */
function progressStream(ctx: RequestContext) {
  const res = ctx.res!;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'application/json' });
  };
  return {
    message(obj: Record<string, unknown>) {
      start();
      res.write(JSON.stringify(obj) + '\r\n');
    },
    get started() {
      return started;
    },
    end() {
      start();
      res.end();
    },
  };
}

function referenceFilter(pattern: string): (rec: ImageRecord) => boolean {
  // docker images NAME[:TAG]: matches the familiar name, with glob-like '*' support.
  const hasTag = /:[^/]*$/.test(pattern);
  const glob = new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '$');
  return (rec) =>
    rec.repoTags.some((t) => {
      const fam = familiarString(parseNormalizedReference(t));
      const name = fam.replace(/:[^/:]*$/, '');
      return glob.test(hasTag ? fam : name) || glob.test(hasTag ? t : t.replace(/:[^/:]*$/, ''));
    });
}

function labelMatch(labels: Record<string, string> | undefined, want: string): boolean {
  const eq = want.indexOf('=');
  const l = labels ?? {};
  return eq === -1 ? want in l : l[want.slice(0, eq)] === want.slice(eq + 1);
}

export function imageRoutes(deps: ImageRouteDeps): Route[] {
  const { images } = deps;
  return [
    {
      method: 'GET',
      path: '/images/json',
      handler: (ctx) => {
        const filters = parseFilters(ctx.query.get('filters'));
        checkFilterKeys(filters, ['reference', 'dangling', 'label', 'before', 'since']);
        const legacy = ctx.query.get('filter');
        const refs = [...(filters.get('reference') ?? []), ...(legacy ? [legacy] : [])];
        const dangling = filters.get('dangling')?.[0];
        const before = filters.get('before')?.[0];
        const since = filters.get('since')?.[0];
        const beforeT = before ? images.resolve(before).createdAt : undefined;
        const sinceT = since ? images.resolve(since).createdAt : undefined;
        const all = boolValue(ctx.query.get('all') ?? '');
        const list = images.list().filter((rec) => {
          // As Docker: an untagged image with children is an intermediate image of a build (a
          // parent of another image), listed only with `all` (`docker images -a`).
          if (!all && rec.repoTags.length === 0 && rec.repoDigests.length === 0 && images.records.children(rec.id).length > 0) return false;
          if (refs.length && !refs.some((r) => referenceFilter(r)(rec))) return false;
          if (dangling !== undefined && boolValue(dangling) !== (rec.repoTags.length === 0)) return false;
          if (!(filters.get('label') ?? []).every((l) => labelMatch(rec.config.config?.Labels, l))) return false;
          if (beforeT !== undefined && rec.createdAt >= beforeT) return false;
          if (sinceT !== undefined && rec.createdAt <= sinceT) return false;
          return true;
        });
        list.sort((a, b) => b.createdAt - a.createdAt);
        sendJson(ctx, 200, list.map((r) => images.summaryShape(r)));
      },
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async (ctx) => {
        const f = imagePruneFilters(parseFilters(ctx.query.get('filters')), Date.now());
        const r = await pruneImages(images, f, (id) => deps.imageInUse(id));
        for (const id of r.imageIds) deps.events?.record('image', 'delete', id, { name: id });
        sendJson(ctx, 200, { ImagesDeleted: r.deleted, SpaceReclaimed: 0 });
      },
    },
    {
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        const q = ctx.query;
        const fromSrc = q.get('fromSrc');
        if (q.get('fromImage')) {
          // Pulls belong to the registry client (registry-routes.ts pullHandler).
          if (deps.pull) return deps.pull(ctx);
          const shown = (() => {
            try {
              return familiarString(withDefaultTag(parseNormalizedReference(`${q.get('fromImage')}${q.get('tag') ? ':' + q.get('tag') : ''}`)));
            } catch {
              return q.get('fromImage') ?? '';
            }
          })();
          throw notFound(`pull access denied for ${shown}: pulling from registries is not supported by this engine yet`);
        }
        if (fromSrc === null) throw invalidParameter('either fromImage or fromSrc is required');
        if (fromSrc !== '-') throw invalidParameter('importing from a URL is not supported by this engine yet; send the tarball as the request body');
        const platform = q.get('platform') || '';
        if (platform && !/^linux(\/amd64)?$/.test(platform)) throw invalidParameter(`image platform ${platform} is not supported on this host (linux/amd64)`);
        const repo = q.get('repo') || '';
        const tag = q.get('tag') || '';
        let ref: string | undefined;
        if (repo) {
          const parsed = parseNormalizedReference(repo);
          if (parsed.digest) throw invalidParameter('cannot import digest reference');
          ref = tag ? `${repo.replace(/:[^/:]*$/, '')}:${tag}` : repo;
        }
        const progress = progressStream(ctx);
        try {
          const rec = await images.importImage(ctx.req as Readable, {
            ref,
            changes: q.getAll('changes'),
            message: q.get('message') ?? '',
            signal: ctx.signal,
          });
          if (ref) deps.events?.record('image', 'tag', rec.id, { name: familiarString(withDefaultTag(parseNormalizedReference(ref))) });
          deps.events?.record('image', 'import', rec.id, { name: rec.id });
          progress.message({ status: rec.id });
          progress.end();
        } catch (err) {
          if (ctx.signal.aborted) return;
          const e = err instanceof EngineError ? err : new EngineError('System', (err as Error).message, { cause: err });
          // Nothing streamed yet: a plain HTTP error, so the CLI shows the daemon's status.
          if (!progress.started) throw e;
          progress.message({ errorDetail: { code: statusOf[e.kind], message: e.message }, error: e.message });
          progress.end();
        }
      },
    },
    {
      method: 'GET',
      path: '/images/{name*}/json',
      handler: (ctx) => sendJson(ctx, 200, withLegacyImageFields(images.inspectShape(images.resolve(param(ctx, 'name'))))),
    },
    {
      method: 'GET',
      path: '/images/{name*}/history',
      handler: (ctx) => sendJson(ctx, 200, images.history(param(ctx, 'name'))),
    },
    {
      method: 'POST',
      path: '/images/{name*}/tag',
      handler: (ctx) => {
        const repo = ctx.query.get('repo') ?? '';
        const tag = ctx.query.get('tag') ?? '';
        if (!repo) throw invalidParameter('repository name must have at least one component');
        images.tag(param(ctx, 'name'), tag ? `${repo}:${tag}` : repo);
        const tagged = familiarString(withDefaultTag(parseNormalizedReference(tag ? `${repo}:${tag}` : repo)));
        deps.events?.record('image', 'tag', images.resolve(param(ctx, 'name')).id, { name: tagged });
        ctx.res!.writeHead(201);
        ctx.res!.end();
      },
    },
    {
      method: 'DELETE',
      path: '/images/{name*}',
      handler: async (ctx) => {
        let imageId = '';
        try {
          imageId = images.resolve(param(ctx, 'name')).id;
        } catch {
          /* remove reports the missing image in its own words */
        }
        const result = await images.remove(
          param(ctx, 'name'),
          { force: boolValue(ctx.query.get('force')), noPrune: boolValue(ctx.query.get('noprune')) },
          (id) => deps.imageInUse(id),
        );
        for (const item of result) {
          if ('Untagged' in item) deps.events?.record('image', 'untag', imageId, { name: imageId });
          else if (item.Deleted === imageId) deps.events?.record('image', 'delete', imageId, { name: imageId });
        }
        sendJson(ctx, 200, result);
      },
    },
  ];
}
