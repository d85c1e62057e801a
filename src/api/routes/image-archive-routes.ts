import { pipeline } from 'node:stream/promises';
import { invalidParameter, isEngineError } from '../../base/engine-error.js';
import type { ContentStore } from '../../image/content-store.js';
import type { ImageRecord } from '../../image/image-config.js';
import { loadImages, type LoadDeps, type LoadProgress } from '../../image/image-load.js';
import { saveImages } from '../../image/image-save.js';
import type { LayerStore } from '../../storage/layer-store.js';
import { boolValue } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface ImageArchiveRouteDeps {
  images: LoadDeps['images'] & { resolve(ref: string): ImageRecord };
  content: ContentStore;
  layers: LayerStore;
  tmpDir: string;
  events?: { record(type: string, action: string, id: string, attributes: Record<string, string>): void };
}

function progressLine(p: LoadProgress): Record<string, unknown> {
  if (p.kind === 'loaded') return { stream: `${p.message}\n` };
  const mb = (n: number) => `${(n / 1e6).toFixed(2)}MB`;
  const width = 50;
  const filled = p.total > 0 ? Math.round((p.current / p.total) * width) : width;
  const bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
  return { status: 'Loading layer', progressDetail: { current: p.current, total: p.total }, progress: `${bar} ${mb(p.current)}/${mb(p.total)}`, id: p.id };
}

/** `docker save` (GET /images/get, /images/{name}/get) and `docker load` (POST /images/load). */
export function imageArchiveRoutes(deps: ImageArchiveRouteDeps): Route[] {
  const save = async (ctx: RequestContext, names: string[]) => {
    if (names.length === 0) throw invalidParameter('no images specified');
    const { stream, cleanup } = await saveImages({ images: deps.images, layers: deps.layers, content: deps.content, tmpDir: deps.tmpDir }, names);
    const res = ctx.res!;
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    try {
      await pipeline(stream, res);
    } catch {
      res.destroy();
    } finally {
      await cleanup();
    }
    for (const n of names) deps.events?.record('image', 'save', deps.images.resolve(n).id, { name: n });
  };

  return [
    { method: 'GET', path: '/images/get', handler: (ctx) => save(ctx, ctx.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)) },
    { method: 'GET', path: '/images/{name*}/get', handler: (ctx) => save(ctx, [ctx.params['name'] ?? '']) },
    {
      method: 'POST',
      path: '/images/load',
      handler: async (ctx) => {
        const quiet = boolValue(ctx.query.get('quiet'));
        const res = ctx.res!;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const write = (o: Record<string, unknown>) => res.write(JSON.stringify(o) + '\n');
        try {
          const loaded = await loadImages(
            deps,
            ctx.req,
            (p) => {
              if (p.kind === 'loaded' || !quiet) write(progressLine(p));
            },
            ctx.signal,
          );
          for (const name of loaded) deps.events?.record('image', 'load', name, { name });
        } catch (err) {
          const message = isEngineError(err) ? err.message : (err as Error).message;
          write({ errorDetail: { message }, error: message });
          ctx.req.resume();
        }
        res.end();
      },
    },
  ];
}
