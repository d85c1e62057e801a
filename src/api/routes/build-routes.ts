import type { Readable } from 'node:stream';
import { EngineError, invalidParameter } from '../../base/engine-error.js';
import { Builder, StepFailed, type BuildOptions } from '../../build/builder.js';
import { boolValue } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface BuildRouteDeps {
  builder: Builder;
}

function jsonParam<T>(ctx: RequestContext, name: string): T | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw invalidParameter(`invalid ${name} JSON: ${(err as Error).message}`, err);
  }
}

/** The query of POST /build → builder options (validated before the context is read). */
export function buildOptionsOf(ctx: RequestContext): BuildOptions & { quiet: boolean } {
  const q = ctx.query;
  if (q.get('version') === '2') throw invalidParameter('BuildKit is not supported by this engine; use the legacy builder (DOCKER_BUILDKIT=0)');
  if (boolValue(q.get('squash'))) throw invalidParameter('squash is only supported with experimental mode');
  if (q.get('remote')) throw invalidParameter('building from a remote context (URL or git) is not supported by this engine yet');
  const platform = q.get('platform') ?? '';
  if (platform && !/^linux(\/amd64)?$/i.test(platform)) throw invalidParameter(`image platform ${platform} is not supported on this host (linux/amd64)`);
  const args = jsonParam<Record<string, string | null>>(ctx, 'buildargs') ?? {};
  const labels = jsonParam<Record<string, string>>(ctx, 'labels') ?? {};
  const rm = q.get('rm');
  const epochArg = args['SOURCE_DATE_EPOCH'];
  let sourceDateEpoch: number | undefined;
  if (epochArg !== undefined && epochArg !== null && epochArg !== '') {
    if (!/^\d{1,12}$/.test(epochArg)) throw invalidParameter(`invalid SOURCE_DATE_EPOCH: ${epochArg}`);
    sourceDateEpoch = Number(epochArg);
  }
  return {
    ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
    dockerfile: q.get('dockerfile') ?? '',
    tags: Builder.normalizeTags(q.getAll('t').filter((t) => t !== '')),
    buildArgs: new Map(Object.entries(args).map(([k, v]) => [k, v ?? undefined])),
    labels,
    target: q.get('target') ?? '',
    noCache: boolValue(q.get('nocache')),
    rm: rm === null || rm === '' ? true : boolValue(rm),
    forceRm: boolValue(q.get('forcerm')),
    networkMode: q.get('networkmode') && q.get('networkmode') !== 'default' ? (q.get('networkmode') as string) : '',
    quiet: boolValue(q.get('q')),
    signal: ctx.signal,
  };
}

/**
 * POST /build: the legacy builder's JSON stream (`stream`, `aux`, `errorDetail`), objects
 * separated by \r\n as moby's streamformatter writes them. With q=1 the output is held back and
 * only the image ID is sent (everything, plus the error, when the build fails).
 */
export function buildRoutes(deps: BuildRouteDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/build',
      handler: async (ctx) => {
        const opts = buildOptionsOf(ctx);
        const res = ctx.res!;
        let started = false;
        const held: string[] = [];
        const write = (obj: Record<string, unknown>, force = false) => {
          const line = JSON.stringify(obj) + '\r\n';
          if (opts.quiet && !force) {
            held.push(line);
            return;
          }
          if (!started) {
            started = true;
            res.writeHead(200, { 'Content-Type': 'application/json' });
          }
          res.write(line);
        };
        const prepared = await deps.builder.prepare(ctx.req as Readable, opts);
        try {
          const image = await deps.builder.build(prepared, opts, {
            stream: (text) => write({ stream: text }),
            aux: (value) => write({ aux: value }),
          });
          if (opts.quiet) write({ stream: `${image.id}\n` }, true);
          res.end();
        } catch (err) {
          if (ctx.signal.aborted) {
            res.destroy();
            return;
          }
          const e = err instanceof EngineError ? err : new EngineError('System', (err as Error).message, { cause: err });
          for (const line of held.splice(0)) {
            if (!started) {
              started = true;
              res.writeHead(200, { 'Content-Type': 'application/json' });
            }
            res.write(line);
          }
          if (!started) throw e;
          const detail: Record<string, unknown> = { message: e.message };
          if (err instanceof StepFailed) detail['code'] = err.exitCode;
          write({ errorDetail: detail, error: e.message }, true);
          res.end();
        }
      },
    },
  ];
}
