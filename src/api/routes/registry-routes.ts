import { EngineError } from '../../base/engine-error.js';
import type { EventLog } from '../../container/event-log.js';
import type { ManifestFormat } from '../../image/manifest.js';
import { authConfigOf, decodeRegistryAuthHeader } from '../../registry/client/auth-config.js';
import { errorMessage, type ProgressMessage } from '../../registry/client/progress-messages.js';
import type { RegistryService } from '../../registry/client/registry-service.js';
import { readJsonBody, sendJson, type RequestContext } from '../request-context.js';
import type { Handler, Route } from '../router.js';


export interface RegistryRouteDeps {
  registry: RegistryService;
  events?: Pick<EventLog, 'record'>;
}

/**
 * A JSON progress stream whose headers go out with the first message: an error before that is
 * a plain HTTP error (what the CLI shows for a missing image), one after it an errorDetail line.
 */
async function streamProgress(ctx: RequestContext, work: (emit: (m: ProgressMessage) => void) => Promise<void>): Promise<void> {
  const res = ctx.res!;
  let started = false;
  const emit = (m: ProgressMessage) => {
    if (ctx.signal.aborted) return;
    if (!started) {
      started = true;
      res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    res.write(JSON.stringify(m) + '\r\n');
  };
  try {
    await work(emit);
  } catch (err) {
    if (ctx.signal.aborted) return;
    const e = err instanceof EngineError ? err : new EngineError('System', (err as Error).message, { cause: err });
    if (!started) throw e;
    emit(errorMessage(e.message));
  }
  if (!res.writableEnded) {
    if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end();
  }
}

const registryAuth = (ctx: RequestContext) => decodeRegistryAuthHeader(headerOf(ctx, 'x-registry-auth'));

function headerOf(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `POST /images/create?fromImage=…`: the pull half of image-routes' create handler. */
export function pullHandler(deps: RegistryRouteDeps): Handler {
  return async (ctx) => {
    const q = ctx.query;
    const fromImage = q.get('fromImage') ?? '';
    const tag = q.get('tag') ?? '';
    const platform = q.get('platform') ?? '';
    await streamProgress(ctx, async (emit) => {
      const pulled = await deps.registry.pull(fromImage, tag, registryAuth(ctx), { emit, signal: ctx.signal, ...(platform ? { platform } : {}) });
      for (const p of pulled) deps.events?.record('image', 'pull', p.ref, { name: p.ref });
    });
  };
}

export function registryRoutes(deps: RegistryRouteDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async (ctx) => {
        const body = authConfigOf(await readJsonBody<unknown>(ctx));
        const result = await deps.registry.login(body, ctx.signal);
        sendJson(ctx, 200, result);
      },
    },
    {
      method: 'POST',
      path: '/images/{name*}/push',
      handler: async (ctx) => {
        const name = ctx.params['name'] ?? '';
        const tag = ctx.query.get('tag') ?? '';
        const fmt = ctx.query.get('format');
        const format: ManifestFormat | undefined = fmt === 'oci' ? 'oci' : fmt === 'docker' ? 'docker' : undefined;
        await streamProgress(ctx, async (emit) => {
          await deps.registry.push(name, tag, registryAuth(ctx), { emit, signal: ctx.signal, ...(format ? { format } : {}) });
          const shown = tag ? `${name}:${tag}` : name;
          deps.events?.record('image', 'push', shown, { name: shown });
        });
      },
    },
  ];
}


