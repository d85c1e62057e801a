import type { IncomingMessage } from 'node:http';
import { EngineError, type ErrorKind } from '../../base/engine-error.js';
import { parseAuthChallenges } from './auth-challenge.js';

/**
 * A registry's error reply as Docker words it: the distribution error body
 * `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}` becomes
 * "manifest unknown: manifest unknown" (the code lower-cased with spaces, then the message).
 */
export function formatRegistryErrors(status: number, body: string): string {
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> };
    const parts = (doc.errors ?? []).map((e) => {
      const code = (e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ');
      return e.message ? `${code}: ${e.message}` : code;
    });
    if (parts.length > 0) return parts.join(', ');
  } catch {
    /* not JSON */
  }
  if (status === 401) return 'unauthorized: authentication required';
  if (status === 403) return 'denied: requested access to the resource is denied';
  const text = body.trim();
  return text ? `unexpected status ${status}: ${text.slice(0, 200)}` : `unexpected status code ${status}`;
}

export function kindOfStatus(status: number): ErrorKind {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 400 || status === 405 || status === 409 || status === 413) return 'InvalidParameter';
  if (status === 429 || status >= 500) return 'Unavailable';
  return 'System';
}

export async function readBody(res: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      res.destroy();
      throw new EngineError('InvalidParameter', `registry response larger than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * The OAuth error of a bearer challenge (RFC 6750 §3.1) outranks the body, as in Docker's
 * client: a token without the scope asked for (`insufficient_scope`) is "denied" — what
 * `docker push` prints for a repository one may only pull — and a rejected token unauthorized.
 */
export function oauthChallengeError(status: number, wwwAuthenticate: string | undefined): string | undefined {
  if (status < 400 || status >= 500 || wwwAuthenticate === undefined) return undefined;
  for (const c of parseAuthChallenges(wwwAuthenticate)) {
    if (c.scheme !== 'bearer') continue;
    if (c.params['error'] === 'insufficient_scope') return 'denied: requested access to the resource is denied';
    if (c.params['error'] === 'invalid_token') return 'unauthorized: authentication required';
  }
  return undefined;
}

/** Consumes an error reply and turns it into an EngineError with Docker's wording. */
export async function registryErrorOf(res: IncomingMessage, context = ''): Promise<EngineError> {
  const status = res.statusCode ?? 0;
  const body = await readBody(res).catch(() => Buffer.alloc(0));
  const www = res.headers['www-authenticate'];
  const oauth = oauthChallengeError(status, Array.isArray(www) ? www.join(', ') : www);
  const msg = oauth ?? formatRegistryErrors(status, body.toString('utf8'));
  const kind = oauth?.startsWith('denied') ? 'Forbidden' : kindOfStatus(status);
  return new EngineError(kind, context ? `${context}: ${msg}` : msg);
}
