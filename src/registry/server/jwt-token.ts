import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ResourceAccess } from './token-scope.js';

/**
 * Short-lived HS256 JWTs as Docker's token auth carries them. The registry is both issuer and
 * verifier, so a shared HMAC key is enough; node:crypto does the cryptography.
 */
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: ResourceAccess[];
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function signToken(claims: TokenClaims, key: Buffer): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', key).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

export interface IssueOptions {
  issuer: string;
  audience: string;
  subject: string;
  access: ResourceAccess[];
  ttlSeconds: number;
  nowSeconds: number;
}

export function issueToken(o: IssueOptions, key: Buffer): { token: string; claims: TokenClaims } {
  const claims: TokenClaims = {
    iss: o.issuer,
    sub: o.subject,
    aud: o.audience,
    // A minute of leeway for clocks that disagree, as distribution's verifier allows.
    nbf: o.nowSeconds - 60,
    iat: o.nowSeconds,
    exp: o.nowSeconds + o.ttlSeconds,
    jti: randomBytes(12).toString('hex'),
    access: o.access,
  };
  return { token: signToken(claims, key), claims };
}

/** The claims of a token this key signed for this audience that is valid now; undefined otherwise. */
export function verifyToken(token: string, key: Buffer, audience: string, nowSeconds: number): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head = '', body = '', sig = ''] = parts;
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  // Refusing every other alg closes the "alg: none" and key-confusion holes.
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'HS256') return undefined;
  const want = createHmac('sha256', key).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  if (typeof claims !== 'object' || claims === null) return undefined;
  const c = claims as Partial<TokenClaims>;
  if (c.aud !== audience || typeof c.exp !== 'number' || typeof c.nbf !== 'number') return undefined;
  if (nowSeconds >= c.exp || nowSeconds < c.nbf) return undefined;
  if (typeof c.sub !== 'string' || !Array.isArray(c.access)) return undefined;
  return c as TokenClaims;
}
