import { createHash } from 'node:crypto';

/**
 * Basic-auth users from an Apache htpasswd file. Like distribution, only bcrypt entries
 * (`$2y$`, `$2a$`, `$2b$`) are accepted; the bcrypt check itself is injected (see
 * bcrypt-verifier.ts), so this file holds no cryptography and tests can use a double.
 */
export type PasswordVerifier = (password: string, hash: string) => Promise<boolean>;

export interface HtpasswdFile {
  users: Map<string, string>;
  /** Lines that were skipped, with why, for a start-up warning. */
  skipped: string[];
}

export function parseHtpasswd(text: string): HtpasswdFile {
  const users = new Map<string, string>();
  const skipped: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) return void skipped.push(`line ${i + 1}: not user:hash`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return void skipped.push(`line ${i + 1}: ${user}: only bcrypt hashes are supported`);
    users.set(user, hash);
  });
  return { users, skipped };
}

/**
 * Checks user/password pairs. bcrypt is slow on purpose and clients send Basic credentials on
 * every request, so results are remembered briefly, keyed by a hash of user, password and entry.
 */
export class HtpasswdAuthenticator {
  private readonly cache = new Map<string, { ok: boolean; until: number }>();

  constructor(
    private readonly file: HtpasswdFile,
    private readonly verify: PasswordVerifier,
    private readonly cacheMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async check(user: string, password: string): Promise<boolean> {
    const hash = this.file.users.get(user);
    if (hash === undefined) return false;
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.until > this.now()) return hit.ok;
    const ok = await this.verify(password, hash);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { ok, until: this.now() + this.cacheMs });
    return ok;
  }
}

/** user and password from an `Authorization: Basic …` header. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
