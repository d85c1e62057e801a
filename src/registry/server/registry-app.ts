import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Action } from './access-policy.js';
import type { Caller, Need } from './authorizer.js';
import { deleteBlob, getBlob } from './handle-blobs.js';
import { listCatalog, listReferrers, listTags } from './handle-listings.js';
import { deleteManifest, getManifest, putManifest } from './handle-manifests.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './handle-uploads.js';
import { sendJson } from './http-io.js';
import { parseTarget, type Route } from './parse-route.js';
import type { Exchange, RegistryDeps } from './registry-deps.js';
import { errorEnvelope, RegistryError } from './registry-error.js';
import { isValidRepoName } from './repo-name.js';
import { parseScopes } from './token-scope.js';

/**
 * The request handler: routing, the auth decision each endpoint needs, error envelopes, the
 * access log and metrics. Endpoint logic lives in handle-*.ts.
 */
type Handler = (deps: RegistryDeps, x: Exchange) => Promise<void> | void;

const PULL: Action[] = ['pull'];
const PUSH: Action[] = ['pull', 'push'];
const DELETE: Action[] = ['delete'];

interface Plan {
  need: Need;
  run: Handler;
}

const unsupported = (): never => {
  throw new RegistryError('UNSUPPORTED', { detail: 'method not allowed on this endpoint' });
};

/** What a route and method need and do; undefined for routes outside the auth scheme. */
function plan(route: Route, method: string): Plan {
  const repo = (name: string, actions: Action[], run: Handler): Plan => ({ need: { type: 'repository', name, actions }, run });
  const read = method === 'GET' || method === 'HEAD';
  switch (route.kind) {
    case 'base':
      return { need: undefined, run: (_d, x) => sendJson(x.req, x.res, 200, {}) };
    case 'catalog':
      return { need: { type: 'registry', name: 'catalog', actions: ['*'] }, run: read ? listCatalog : unsupported };
    case 'tags':
      return repo(route.name, PULL, read ? (d, x) => listTags(d, x, route.name) : unsupported);
    case 'referrers':
      return repo(route.name, PULL, read ? (d, x) => listReferrers(d, x, route.name, route.digest) : unsupported);
    case 'manifest':
      if (read) return repo(route.name, PULL, (d, x) => getManifest(d, x, route.name, route.reference));
      if (method === 'PUT') return repo(route.name, PUSH, (d, x) => putManifest(d, x, route.name, route.reference));
      if (method === 'DELETE') return repo(route.name, DELETE, (d, x) => deleteManifest(d, x, route.name, route.reference));
      return repo(route.name, PULL, unsupported);
    case 'blob':
      if (read) return repo(route.name, PULL, (d, x) => getBlob(d, x, route.name, route.digest));
      if (method === 'DELETE') return repo(route.name, DELETE, (d, x) => deleteBlob(d, x, route.name, route.digest));
      return repo(route.name, PULL, unsupported);
    case 'uploads':
      return repo(route.name, PUSH, method === 'POST' ? (d, x) => startUpload(d, x, route.name) : unsupported);
    case 'upload': {
      const byMethod: Record<string, Handler> = {
        GET: (d, x) => uploadStatus(d, x, route.name, route.uuid),
        PATCH: (d, x) => patchUpload(d, x, route.name, route.uuid),
        PUT: (d, x) => putUpload(d, x, route.name, route.uuid),
        DELETE: (d, x) => cancelUpload(d, x, route.name, route.uuid),
      };
      return repo(route.name, PUSH, byMethod[method] ?? unsupported);
    }
    default:
      return { need: undefined, run: () => Promise.reject(new RegistryError('UNSUPPORTED', { status: 404, detail: 'no such endpoint' })) };
  }
}

function realmOf(deps: RegistryDeps, req: IncomingMessage): string {
  if (deps.tokenRealm !== undefined) return deps.tokenRealm;
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}/token`;
}

export function createRegistryHandler(deps: RegistryDeps): (req: IncomingMessage, res: ServerResponse) => void {
  // Byte counts per keep-alive connection at the end of its previous request: a request's bytes
  // are the socket's growth since then (headers included; the body may be read before we run).
  const counted = new WeakMap<object, { read: number; written: number }>();
  return (req, res) => {
    const started = process.hrtime.bigint();
    const socket = req.socket;
    let errorCode: string | undefined;
    let user: string | undefined;
    deps.metrics.inFlight++;
    res.on('close', () => {
      deps.metrics.inFlight--;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const prev = counted.get(socket) ?? { read: 0, written: 0 };
      const now = { read: socket.bytesRead, written: socket.bytesWritten };
      counted.set(socket, now);
      const bytesIn = Math.max(0, now.read - prev.read);
      const bytesOut = Math.max(0, now.written - prev.written);
      deps.metrics.record(req.method ?? '', res.statusCode, bytesIn, bytesOut, seconds, errorCode);
      deps.accessLog?.info('request', {
        method: req.method,
        path: req.url,
        status: res.statusCode,
        user,
        remote: req.socket.remoteAddress,
        bytesIn,
        bytesOut,
        ms: Math.round(seconds * 1000),
        ...(errorCode !== undefined ? { error: errorCode } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const fail = (e: unknown) => {
      const err = e instanceof RegistryError ? e : undefined;
      if (err === undefined) deps.log.error('request failed', { method: req.method, path: req.url, err: e as Error });
      errorCode = err?.code ?? 'INTERNAL';
      if (res.headersSent) return void res.destroy();
      if (err === undefined) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'unknown error' }] }));
      }
      const body = Buffer.from(errorEnvelope([err]));
      res.writeHead(err.status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...err.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    void serve(deps, req, res, (u) => (user = u)).catch(fail);
  };
}

async function serve(deps: RegistryDeps, req: IncomingMessage, res: ServerResponse, setUser: (u: string | undefined) => void): Promise<void> {
  if (deps.maxInFlight > 0 && deps.metrics.inFlight > deps.maxInFlight) {
    throw new RegistryError('TOOMANYREQUESTS', { headers: { 'Retry-After': '1' } });
  }
  const { route, query } = parseTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  if (route.kind === 'metrics' && deps.metricsEnabled && method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    return void res.end(deps.metrics.render());
  }
  if (route.kind === 'token' && deps.authorizer.settings.mode === 'token' && method === 'GET') {
    const scopes = parseScopes(query.getAll('scope'));
    return sendJson(req, res, 200, await deps.authorizer.issue(req.headers.authorization, scopes), { 'Cache-Control': 'no-store' });
  }
  if ('name' in route && !isValidRepoName(route.name)) throw new RegistryError('NAME_INVALID', { detail: { name: route.name } });
  const p = plan(route, method);
  const caller: Caller = await deps.authorizer.authorize(req.headers.authorization, p.need, realmOf(deps, req));
  setUser(caller.user);
  await p.run(deps, { req, res, query, caller });
}
