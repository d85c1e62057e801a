import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import { EngineError } from '../../base/engine-error.js';
import type { Logger } from '../../base/log.js';
import { mergeScopes, parseAuthChallenges, type AuthChallenge } from './auth-challenge.js';
import type { AuthConfig } from './auth-config.js';
import { readBody, registryErrorOf } from './registry-error.js';
import type { RegistryEndpoint } from './registry-hosts.js';

export interface RegistryRequest {
  method: string;
  /** "/v2/…" on the registry, or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  /** A buffer can be re-sent after an auth challenge; a stream factory is called per attempt. */
  body?: Buffer | string | (() => Readable);
  /** Token scopes this request needs ("repository:x:pull"). */
  scopes?: readonly string[];
  signal?: AbortSignal;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const USER_AGENT = 'skiff/0.1 (docker-compatible; go-http-client compatible)';

/**
 * One registry, one set of credentials: the scheme probe, the auth challenge, and bearer
 * tokens cached per scope set and fetched again shortly before they expire.
 */
export class RegistrySession {
  private base: string | undefined;
  private challenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent: https.Agent;
  // Streamed bodies cannot be sent twice, so they never ride on an idle pooled socket: a server
  // closing it at its keep-alive timeout (Node's 5 s) while our event loop is busy would cut the
  // upload with "socket hang up". A fresh connection per upload costs one handshake.
  private readonly httpUploadAgent = new http.Agent({ keepAlive: false });
  private readonly httpsUploadAgent: https.Agent;

  constructor(
    readonly endpoint: RegistryEndpoint,
    readonly auth: AuthConfig,
    private readonly log?: Logger,
  ) {
    const tlsOptions: https.AgentOptions = {
      rejectUnauthorized: endpoint.verifyTls,
      ...(endpoint.ca.length > 0 ? { ca: [...endpoint.ca, ...tlsRootCerts()] } : {}),
      ...(endpoint.cert !== undefined ? { cert: endpoint.cert } : {}),
      ...(endpoint.key !== undefined ? { key: endpoint.key } : {}),
    };
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, ...tlsOptions });
    this.httpsUploadAgent = new https.Agent({ keepAlive: false, ...tlsOptions });
  }

  /** "http://127.0.0.1:5000" once pinged. */
  async baseUrl(signal?: AbortSignal): Promise<string> {
    if (this.base === undefined) await this.ping(signal);
    return this.base as string;
  }

  /**
   * `GET /v2/`: picks the scheme (https first; http only for insecure registries, after https
   * failed to connect) and learns the auth challenge. Returns the unauthenticated status.
   */
  async ping(signal?: AbortSignal): Promise<number> {
    let lastErr: unknown;
    for (const scheme of this.endpoint.schemes) {
      const url = `${scheme}://${this.endpoint.host}/v2/`;
      try {
        const res = await this.send('GET', url, {}, undefined, signal, scheme === 'https' && this.endpoint.schemes.length > 1 ? 5000 : 30000);
        res.resume();
        this.base = `${scheme}://${this.endpoint.host}`;
        const www = res.headers['www-authenticate'];
        if (res.statusCode === 401 && typeof www === 'string') this.challenge = pickChallenge(www);
        return res.statusCode ?? 0;
      } catch (err) {
        if (signal?.aborted) throw err;
        lastErr = err;
      }
    }
    const msg = (lastErr as Error | undefined)?.message ?? 'unreachable';
    throw new EngineError('Unavailable', `Get "${this.endpoint.schemes[0]}://${this.endpoint.host}/v2/": ${msg}`, { cause: lastErr });
  }

  /** Sends a request with credentials; on a 401 with a new challenge it authenticates and retries once. */
  async request(req: RegistryRequest): Promise<IncomingMessage> {
    const base = await this.baseUrl(req.signal);
    const url = req.path.startsWith('http') ? req.path : base + req.path;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...(req.headers ?? {}) };
      const authz = await this.authorization(req.scopes ?? [], req.signal, attempt > 0);
      if (authz) headers['Authorization'] = authz;
      const body = typeof req.body === 'function' ? req.body() : req.body;
      const res = await this.send(req.method, url, headers, body, req.signal);
      if (res.statusCode === 401 && attempt === 0) {
        const www = res.headers['www-authenticate'];
        if (typeof www === 'string') {
          const prev = this.challenge;
          this.challenge = pickChallenge(www);
          // A retry helps when we had no challenge yet, the scheme changed, or a token ran out.
          if (!prev || prev.scheme !== this.challenge.scheme || this.challenge.scheme === 'bearer') {
            res.resume();
            continue;
          }
        }
      }
      return res;
    }
  }

  /** GET/HEAD following redirects (blob storage elsewhere); credentials go only to the registry host. */
  async fetch(req: RegistryRequest): Promise<IncomingMessage> {
    let res = await this.request(req);
    for (let hops = 0; hops < 5 && res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode); hops++) {
      const loc = res.headers.location;
      res.resume();
      if (!loc) break;
      const target = new URL(loc, await this.baseUrl());
      const sameHost = target.host === this.endpoint.host;
      res = sameHost
        ? await this.request({ ...req, path: target.toString() })
        : await this.send(req.method, target.toString(), { ...(req.headers ?? {}) }, undefined, req.signal);
    }
    return res;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.httpUploadAgent.destroy();
    this.httpsUploadAgent.destroy();
  }

  private async authorization(scopes: readonly string[], signal: AbortSignal | undefined, fresh: boolean): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      if (this.auth.username === undefined || this.auth.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') return undefined;
    if (this.auth.registrytoken) return `Bearer ${this.auth.registrytoken}`;
    const merged = mergeScopes([...scopes, ...(ch.params['scope'] ? ch.params['scope'].split(' ') : [])]);
    const key = merged.join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expiresAt > Date.now() + 10_000) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(ch, merged, signal);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /** The token endpoint: GET with basic credentials, or POST an OAuth refresh-token grant when we hold an identity token. */
  private async fetchToken(ch: AuthChallenge, scopes: readonly string[], signal?: AbortSignal): Promise<CachedToken> {
    const realm = ch.params['realm'];
    if (!realm) throw new EngineError('Unauthorized', 'unauthorized: bearer challenge without realm');
    const url = new URL(realm);
    const service = ch.params['service'];
    let res: IncomingMessage;
    if (this.auth.identitytoken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.auth.identitytoken, client_id: 'skiff' });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.send('POST', url.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString(), signal);
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (this.auth.username !== undefined && this.auth.password !== undefined) {
        headers['Authorization'] = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
      }
      res = await this.send('GET', url.toString(), headers, undefined, signal);
    }
    if (res.statusCode !== 200) {
      const err = await registryErrorOf(res);
      if (res.statusCode === 401) throw new EngineError('Unauthorized', err.message.startsWith('unauthorized') ? err.message : 'unauthorized: incorrect username or password');
      throw err;
    }
    const doc = JSON.parse((await readBody(res)).toString('utf8')) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = doc.token || doc.access_token;
    if (!token) throw new EngineError('Unauthorized', 'unauthorized: token server returned no token');
    const issued = doc.issued_at ? Date.parse(doc.issued_at) : NaN;
    const from = Number.isFinite(issued) ? Math.min(issued, Date.now()) : Date.now();
    return { token, expiresAt: from + (doc.expires_in && doc.expires_in > 0 ? doc.expires_in : 60) * 1000 };
  }

  private send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer | string | Readable | undefined,
    signal?: AbortSignal,
    connectTimeoutMs = 30_000,
    retried = false,
  ): Promise<IncomingMessage> {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const streamed = body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
    const agent =
      u.protocol === 'https:' ? (streamed ? this.httpsUploadAgent : this.httpsAgent) : streamed ? this.httpUploadAgent : this.httpAgent;
    this.log?.debug('registry request', { method, url });
    return new Promise((resolve, reject) => {
      const h: Record<string, string | number> = { 'User-Agent': USER_AGENT, ...headers };
      if (typeof body === 'string' || Buffer.isBuffer(body)) h['Content-Length'] = Buffer.byteLength(body);
      else if (body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) h['Content-Length'] = 0;
      const req = lib.request(u, { method, headers: h, agent, ...(signal ? { signal } : {}) }, (res) => {
        req.setTimeout(0);
        // Readers see errors through iteration/pipeline; a response dropped half-read must not
        // crash the daemon with an unhandled 'aborted'.
        res.on('error', () => {});
        resolve(res);
      });
      req.setTimeout(connectTimeoutMs, () => req.destroy(new Error('timeout awaiting response headers')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A pooled socket the server closed while it sat idle fails at once with ECONNRESET;
        // Node's documented remedy is to send again on a new one (bodies here are replayable).
        if (req.reusedSocket && err.code === 'ECONNRESET' && !streamed && !retried && !signal?.aborted) {
          resolve(this.send(method, url, headers, body, signal, connectTimeoutMs, true));
        } else reject(err);
      });
      if (body === undefined) req.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }
}

function pickChallenge(header: string): AuthChallenge {
  const all = parseAuthChallenges(header);
  return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic') ?? { scheme: 'unknown', params: {} };
}

/** Node replaces its default roots when `ca` is given; keep them alongside the certs.d ones. */
function tlsRootCerts(): string[] {
  return [...tls.rootCertificates];
}
