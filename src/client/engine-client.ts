import http from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ApiError, ConnectError, errorMessageOf } from './api-error.js';

export type QueryValue = string | number | boolean | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** A plain object is sent as JSON; a Buffer/string as is; a Readable is streamed (chunked). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PingInfo {
  apiVersion: string | undefined;
  osType: string | undefined;
}

/** The newest API version this client speaks; negotiation only ever goes down from it. */
export const CLIENT_API_VERSION = '1.50';

/**
 * Typed Docker Engine API client over a unix socket. Like the Go client it pings once, then
 * sends versioned paths with the lower of its own and the daemon's version.
 */
export class EngineClient {
  readonly socketPath: string;
  readonly address: string;
  private negotiated: Promise<string> | undefined;

  constructor(opts: { socketPath: string; address?: string; version?: string }) {
    this.socketPath = opts.socketPath;
    this.address = opts.address ?? `unix://${opts.socketPath}`;
    if (opts.version !== undefined) this.negotiated = Promise.resolve(opts.version);
  }

  /** HEAD /_ping, falling back to GET like the Go client does when HEAD is refused. */
  async ping(): Promise<PingInfo> {
    let res = await this.send('HEAD', '/_ping', {});
    if (res.statusCode !== 200 && res.statusCode !== 500) {
      res.resume();
      res = await this.send('GET', '/_ping', {});
    }
    res.resume();
    const header = (name: string) => {
      const v = res.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    return { apiVersion: header('api-version'), osType: header('ostype') };
  }

  /** The API version in use after negotiation. */
  version(): Promise<string> {
    this.negotiated ??= this.ping().then((p) => negotiate(p.apiVersion));
    return this.negotiated;
  }

  /** Sends a request and returns the response once its headers arrive; throws ApiError on >= 400. */
  async call(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const version = await this.version();
    const res = await this.send(method, `/v${version}${path}`, opts);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw await apiErrorOf(res);
    return res;
  }

  /** A request whose answer is JSON (or empty: then `undefined`). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.call(method, path, opts);
    const text = await readText(res);
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Like json() but keeps the raw bytes (inspect re-indents them without reordering keys). */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<string> {
    return readText(await this.call(method, path, opts));
  }

  /** A request whose answer is discarded. */
  async exec(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const res = await this.call(method, path, opts);
    res.resume();
    await new Promise<void>((resolve) => {
      res.once('end', resolve);
      res.once('close', resolve);
    });
    return res.statusCode ?? 0;
  }

  /**
   * The attach/exec-start upgrade: `Connection: Upgrade`, `Upgrade: tcp`; resolves with the raw
   * socket after 101, with any bytes that arrived with the headers pushed back into it.
   */
  async hijack(path: string, opts: { query?: Query; body?: unknown } = {}): Promise<Socket> {
    const version = await this.version();
    const { payload, contentType } = encodeBody(opts.body);
    const data = payload instanceof Buffer ? payload : Buffer.alloc(0);
    return new Promise<Socket>((resolve, reject) => {
      const req = http.request({
        socketPath: this.socketPath,
        method: 'POST',
        path: `/v${version}${path}${queryString(opts.query)}`,
        headers: {
          Host: 'api.moby.localhost',
          'User-Agent': 'skiff-cli',
          Connection: 'Upgrade',
          Upgrade: 'tcp',
          'Content-Type': contentType ?? 'text/plain',
          'Content-Length': String(data.length),
        },
      });
      req.once('upgrade', (res, socket, head) => {
        if (res.statusCode !== 101) {
          socket.destroy();
          reject(new Error(`unable to upgrade to tcp, received ${res.statusCode}`));
          return;
        }
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.once('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) apiErrorOf(res).then(reject, reject);
        else {
          res.resume();
          reject(new Error(`unable to upgrade to tcp, received ${status}`));
        }
      });
      req.once('error', (err) => reject(this.connectError(err)));
      req.end(data);
    });
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const { payload, contentType } = encodeBody(opts.body);
    const headers: Record<string, string> = { Host: 'api.moby.localhost', 'User-Agent': 'skiff-cli', ...opts.headers };
    if (contentType !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = contentType;
    if (payload instanceof Buffer) headers['Content-Length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const req = http.request({
        socketPath: this.socketPath,
        method,
        path: `${path}${queryString(opts.query)}`,
        headers,
        signal: opts.signal,
      });
      req.once('response', resolve);
      req.once('error', (err) => reject(this.connectError(err)));
      if (payload instanceof Readable) {
        payload.once('error', (err) => req.destroy(err));
        payload.pipe(req);
      } else req.end(payload);
    });
  }

  private connectError(err: Error): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') return new ConnectError(this.address, err);
    return err;
  }
}

function negotiate(server: string | undefined): string {
  if (server === undefined || server === '') return '1.24';
  return compareVersions(server, CLIENT_API_VERSION) < 0 ? server : CLIENT_API_VERSION;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function encodeBody(body: unknown): { payload: Buffer | Readable | undefined; contentType: string | undefined } {
  if (body === undefined) return { payload: undefined, contentType: undefined };
  if (body instanceof Readable) return { payload: body, contentType: undefined };
  if (Buffer.isBuffer(body)) return { payload: body, contentType: undefined };
  if (typeof body === 'string') return { payload: Buffer.from(body), contentType: 'text/plain' };
  return { payload: Buffer.from(JSON.stringify(body)), contentType: 'application/json' };
}

/** Query strings as the Go client builds them; booleans become 1/0, arrays repeat the key. */
export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const v = query[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(key, item);
    else if (typeof v === 'boolean') params.append(key, v ? '1' : '0');
    else params.append(key, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export async function readText(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function apiErrorOf(res: http.IncomingMessage): Promise<ApiError> {
  const status = res.statusCode ?? 0;
  const text = await readText(res);
  const ct = res.headers['content-type'];
  return new ApiError(status, errorMessageOf(status, ct, text));
}
