/**
 * Docker's AuthConfig as it travels in `X-Registry-Auth` (base64url JSON with padding) and in
 * the `POST /auth` body. Pure.
 */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:pass"), as config.json stores it. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

const FIELDS = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/** Keeps the known string fields of a parsed object (case-insensitively, as Go's json does). */
export function authConfigOf(value: unknown): AuthConfig {
  const out: AuthConfig = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const f = FIELDS.find((n) => n === k.toLowerCase());
    if (f && typeof v === 'string' && v !== '') out[f] = v;
  }
  // Only `auth` given: split it, as the daemon's registry code does.
  if (out.auth && out.username === undefined) {
    const plain = Buffer.from(out.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) {
      out.username = plain.slice(0, colon);
      out.password = plain.slice(colon + 1);
    }
  }
  return out;
}

/**
 * Decodes `X-Registry-Auth` leniently: URL-safe or standard alphabet, padded or not; anything
 * unreadable means anonymous (the docker CLI sends `e30=` for "no credentials").
 */
export function decodeRegistryAuthHeader(header: string | undefined): AuthConfig {
  if (!header) return {};
  const std = header.trim().replace(/-/g, '+').replace(/_/g, '/');
  try {
    const text = Buffer.from(std, 'base64').toString('utf8');
    return authConfigOf(JSON.parse(text) as unknown);
  } catch {
    return {};
  }
}

/** What the docker CLI sends: base64url of the JSON, with `=` padding. */
export function encodeRegistryAuthHeader(auth: AuthConfig): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export const hasCredentials = (a: AuthConfig): boolean =>
  (a.username !== undefined && a.password !== undefined) || a.identitytoken !== undefined || a.registrytoken !== undefined;
