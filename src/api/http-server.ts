import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { EngineError, isEngineError } from '../base/engine-error.js';
import type { Logger } from '../base/log.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';
import { statusOf } from './status-of.js';
import { unsupportedEndpoint } from './unsupported-endpoint.js';
import { apiHeaders, maxApiVersion, minApiVersion, compareVersions } from './api-version.js';

const versionPrefix = /^\/v(\d+\.\d+)(\/.*)$/;

interface Resolved {
  path: string;
  apiVersion: string;
}

function resolveVersion(pathname: string): Resolved {
  const m = versionPrefix.exec(pathname);
  if (!m) return { path: pathname, apiVersion: maxApiVersion };
  const version = m[1] ?? maxApiVersion;
  if (compareVersions(version, minApiVersion) < 0) {
    throw new EngineError(
      'InvalidParameter',
      `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`,
    );
  }
  if (compareVersions(version, maxApiVersion) > 0) {
    throw new EngineError('InvalidParameter', `client version ${version} is too new. Maximum supported API version is ${maxApiVersion}`);
  }
  return { path: m[2] ?? '/', apiVersion: version };
}

function errorStatus(err: unknown): { status: number; message: string } {
  if (isEngineError(err)) return { status: statusOf[err.kind], message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}

function writeRawError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Api-Version: ${maxApiVersion}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The Engine API's HTTP server: version prefixes, Docker's headers, one error format, upgrades. */
/** TLS settings for a TCP listener: client certificates signed by `ca` are required. */
export interface ApiTls {
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
}

export function createApiServer(router: Router, log: Logger, tls?: ApiTls): Server {
  const dispatch = async (req: IncomingMessage, res: ServerResponse | undefined, upgrade?: { socket: Duplex; head: Buffer }) => {
    const abort = new AbortController();
    const url = new URL(req.url ?? '/', 'http://skiff');
    const started = Date.now();
    const closeSource = upgrade ? upgrade.socket : res;
    closeSource?.once('close', () => abort.abort());
    if (res) for (const [k, v] of Object.entries(apiHeaders)) res.setHeader(k, v);
    try {
      const { path, apiVersion } = resolveVersion(url.pathname);
      const match = router.match(req.method ?? 'GET', path);
      // Docker's words first (clients match on them), then what was asked, so a client using an
      // endpoint skiff lacks sees which one.
      if (!match) {
        // Logged above debug level so an operator sees which call a client tried.
        log.warn('unsupported endpoint', { method: req.method, path: url.pathname, userAgent: req.headers['user-agent'] });
        throw unsupportedEndpoint(req.method ?? 'GET', path);
      }
      const ctx: RequestContext = { req, res, upgrade, params: match.params, query: url.searchParams, apiVersion, signal: abort.signal };
      await match.handler(ctx);
    } catch (err) {
      const { status, message } = errorStatus(err);
      if (status >= 500) log.error('request failed', { method: req.method, path: url.pathname, err });
      else log.debug('request refused', { method: req.method, path: url.pathname, status, message });
      if (upgrade) {
        if (!upgrade.socket.destroyed) writeRawError(upgrade.socket, status, message);
      } else if (res && !res.headersSent) {
        if (status === 304) {
          res.writeHead(304);
          res.end();
        } else {
          const body = JSON.stringify({ message }) + '\n';
          res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        }
      } else {
        res?.destroy();
      }
    } finally {
      log.debug('request', { method: req.method, path: url.pathname, ms: Date.now() - started });
    }
  };

  // No idle timeout on kept-alive connections, as dockerd: the docker CLI reuses an idle
  // connection for a POST (not retried), and a server closing it at that moment resets the call.
  const serverOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 0 };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void dispatch(req, res);
  };
  const server: Server = tls
    ? createTlsServer({ ...serverOptions, ...tls, requestCert: true, rejectUnauthorized: true }, onRequest)
    : createServer(serverOptions, onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    void dispatch(req, undefined, { socket, head });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}
