import { randomBytes } from 'node:crypto';
import type { AccessPolicy, Action } from './access-policy.js';
import { parseBasicAuth, type HtpasswdAuthenticator } from './htpasswd.js';
import { issueToken, verifyToken } from './jwt-token.js';
import { RegistryError } from './registry-error.js';
import { covers, formatScope, type ResourceAccess } from './token-scope.js';

/**
 * Decides whether a request may proceed, in one of three modes: `none` (open registry), `basic`
 * (htpasswd credentials on every request) and `token` (Docker's token auth: a 401 challenge
 * names our own token endpoint, which trades credentials for a short-lived scoped JWT).
 * A known user lacking a right gets 403 DENIED; an unknown caller gets 401 and a challenge.
 */
export type AuthMode = 'none' | 'basic' | 'token';

export interface AuthSettings {
  mode: AuthMode;
  /** Basic realm, and the token's audience (`service`). */
  service: string;
  issuer: string;
  tokenTtlSeconds: number;
  /** HMAC key for tokens; random per process unless configured. */
  tokenKey: Buffer;
}

/** What a request needs: a repository's actions, the catalog, or (undefined) just a valid identity. */
export type Need = { type: 'repository'; name: string; actions: Action[] } | { type: 'registry'; name: 'catalog'; actions: ['*'] } | undefined;

export interface Caller {
  /** undefined for anonymous callers. */
  user: string | undefined;
  /** Whether the caller may `action` on repository `name` (mount sources, catalog filtering). */
  can(name: string, action: Action): boolean;
}

export interface TokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

export class Authorizer {
  constructor(
    readonly settings: AuthSettings,
    private readonly policy: AccessPolicy,
    private readonly users: HtpasswdAuthenticator | undefined,
    private readonly nowMs: () => number = Date.now,
  ) {}

  static randomKey(): Buffer {
    return randomBytes(32);
  }

  /** @param realm the token endpoint's absolute URL, for bearer challenges */
  async authorize(authorization: string | undefined, need: Need, realm: string): Promise<Caller> {
    const { mode } = this.settings;
    if (mode === 'none') return { user: undefined, can: () => true };
    if (mode === 'basic') return this.authorizeBasic(authorization, need);
    return this.authorizeBearer(authorization, need, realm);
  }

  private async authorizeBasic(authorization: string | undefined, need: Need): Promise<Caller> {
    const challenge = { 'WWW-Authenticate': `Basic realm="${this.settings.service}"` };
    const creds = parseBasicAuth(authorization);
    let user: string | undefined;
    if (creds !== undefined) {
      if (!(await this.checkPassword(creds.user, creds.password))) throw new RegistryError('UNAUTHORIZED', { headers: challenge });
      user = creds.user;
    }
    const caller: Caller = { user, can: (name, action) => this.policy.actionsFor(user, name).has(action) };
    // The /v2/ check answers 401 to anonymous callers so that clients learn to send credentials.
    if (need === undefined) {
      if (user === undefined) throw new RegistryError('UNAUTHORIZED', { headers: challenge });
      return caller;
    }
    if (this.allowed(caller, need)) return caller;
    if (user === undefined) throw new RegistryError('UNAUTHORIZED', { headers: challenge, detail: need === undefined ? undefined : [need] });
    throw new RegistryError('DENIED', { detail: [need] });
  }

  private authorizeBearer(authorization: string | undefined, need: Need, realm: string): Caller {
    const scope = need === undefined ? '' : `,scope="${formatScope(need)}"`;
    const challenge = (extra = ''): Record<string, string> => ({
      'WWW-Authenticate': `Bearer realm="${realm}",service="${this.settings.service}"${scope}${extra}`,
    });
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const claims = m === null ? undefined : verifyToken(m[1] ?? '', this.settings.tokenKey, this.settings.service, Math.floor(this.nowMs() / 1000));
    if (claims === undefined) throw new RegistryError('UNAUTHORIZED', { headers: challenge(m === null ? '' : ',error="invalid_token"') });
    const user = claims.sub === '' ? undefined : claims.sub;
    const caller: Caller = { user, can: (name, action) => covers(claims.access, 'repository', name, [action]) };
    if (need === undefined || covers(claims.access, need.type, need.name, need.actions)) return caller;
    // A fresh token would not help a known user the policy refuses: say "denied" instead of looping.
    if (user !== undefined && !this.policyAllows(user, need)) throw new RegistryError('DENIED', { detail: [need] });
    throw new RegistryError('UNAUTHORIZED', { headers: challenge(',error="insufficient_scope"'), detail: [need] });
  }

  /** The token endpoint: credentials (optional) and requested scopes in, a signed token out. */
  async issue(authorization: string | undefined, requested: readonly ResourceAccess[]): Promise<TokenResponse> {
    const creds = parseBasicAuth(authorization);
    let user: string | undefined;
    if (creds !== undefined) {
      if (!(await this.checkPassword(creds.user, creds.password))) {
        throw new RegistryError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': `Basic realm="${this.settings.service}"` } });
      }
      user = creds.user;
    }
    const access: ResourceAccess[] = [];
    for (const r of requested) {
      if (r.type === 'repository') {
        const have = this.policy.actionsFor(user, r.name);
        const wanted = r.actions.includes('*') ? [...have] : r.actions.filter((a) => have.has(a as Action));
        if (wanted.length > 0) access.push({ type: 'repository', name: r.name, actions: wanted });
      } else if (r.type === 'registry' && r.name === 'catalog' && user !== undefined) {
        access.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      }
    }
    const nowSeconds = Math.floor(this.nowMs() / 1000);
    const { token } = issueToken(
      { issuer: this.settings.issuer, audience: this.settings.service, subject: user ?? '', access, ttlSeconds: this.settings.tokenTtlSeconds, nowSeconds },
      this.settings.tokenKey,
    );
    return { token, access_token: token, expires_in: this.settings.tokenTtlSeconds, issued_at: new Date(nowSeconds * 1000).toISOString() };
  }

  private allowed(caller: Caller, need: NonNullable<Need>): boolean {
    if (need.type === 'registry') return caller.user !== undefined || this.policy.anonymousPull;
    return need.actions.every((a) => caller.can(need.name, a));
  }

  private policyAllows(user: string, need: NonNullable<Need>): boolean {
    if (need.type === 'registry') return true;
    const have = this.policy.actionsFor(user, need.name);
    return need.actions.every((a) => have.has(a));
  }

  private async checkPassword(user: string, password: string): Promise<boolean> {
    return this.users !== undefined && (await this.users.check(user, password));
  }
}
