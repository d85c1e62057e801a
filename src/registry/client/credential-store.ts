import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuthConfig } from './auth-config.js';

/**
 * skiff's client-side credential store, the same file and rules as the docker CLI's
 * config.json: `auths.<server>.auth` = base64("user:pass") (or `identitytoken`), unless a
 * credential helper is configured (`credHelpers.<server>`, else `credsStore`), in which case
 * `docker-credential-<name> get|store|erase` keeps the secret.
 */
export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; email?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export type HelperRunner = (helper: string, action: 'get' | 'store' | 'erase', input: string) => Promise<string>;

/** `$DOCKER_CONFIG` or `~/.docker`, as the docker CLI picks it. */
export function configDir(env: NodeJS.ProcessEnv): string {
  return env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
}

export function readConfigFile(dir: string): DockerConfigFile {
  try {
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as DockerConfigFile;
  } catch {
    return {};
  }
}

/** Written next to the old file and renamed over it, mode 0600, keeping every other key. */
export function writeConfigFile(dir: string, cfg: DockerConfigFile): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `config.json.tmp-${process.pid}`);
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t'), { mode: 0o600 });
  renameSync(tmp, join(dir, 'config.json'));
}

export function helperFor(cfg: DockerConfigFile, server: string): string | undefined {
  return cfg.credHelpers?.[server] || cfg.credsStore || undefined;
}

/** Pure: the stored entry for `server`, decoded. */
export function authFromEntry(cfg: DockerConfigFile, server: string): AuthConfig {
  const e = cfg.auths?.[server];
  if (!e) return {};
  const out: AuthConfig = { serveraddress: server };
  if (e.auth) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) {
      out.username = plain.slice(0, i);
      out.password = plain.slice(i + 1);
    }
  }
  if (e.identitytoken) out.identitytoken = e.identitytoken;
  return out;
}

/** Pure: the config with `server`'s entry set (secret inline) or, with a helper, emptied. */
export function withEntry(cfg: DockerConfigFile, server: string, auth: AuthConfig | undefined, inline: boolean): DockerConfigFile {
  const auths = { ...(cfg.auths ?? {}) };
  if (auth === undefined) delete auths[server];
  else if (!inline) auths[server] = {};
  else if (auth.identitytoken) auths[server] = { identitytoken: auth.identitytoken };
  else auths[server] = { auth: Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64') };
  return { ...cfg, auths };
}

export const runCredentialHelper: HelperRunner = (helper, action, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(text);
      else reject(new Error(`error ${action === 'get' ? 'getting' : action === 'store' ? 'storing' : 'erasing'} credentials - err: exit status ${code}, out: \`${text.trim()}\``));
    });
    child.stdin.end(input);
  });

export class CredentialStore {
  constructor(
    readonly dir: string,
    private readonly helper: HelperRunner = runCredentialHelper,
  ) {}

  async get(server: string): Promise<AuthConfig> {
    const cfg = readConfigFile(this.dir);
    const h = helperFor(cfg, server);
    if (!h) return authFromEntry(cfg, server);
    try {
      const doc = JSON.parse(await this.helper(h, 'get', server)) as { Username?: string; Secret?: string };
      // A helper stores identity tokens under the username "<token>".
      if (doc.Username === '<token>') return { serveraddress: server, identitytoken: doc.Secret ?? '' };
      return { serveraddress: server, username: doc.Username ?? '', password: doc.Secret ?? '' };
    } catch {
      return {};
    }
  }

  async store(server: string, auth: AuthConfig): Promise<void> {
    const cfg = readConfigFile(this.dir);
    const h = helperFor(cfg, server);
    if (h) {
      const user = auth.identitytoken ? '<token>' : auth.username ?? '';
      const secret = auth.identitytoken ?? auth.password ?? '';
      await this.helper(h, 'store', JSON.stringify({ ServerURL: server, Username: user, Secret: secret }));
    }
    writeConfigFile(this.dir, withEntry(cfg, server, auth, h === undefined));
  }

  /** Whether anything was stored for `server`. */
  async erase(server: string): Promise<boolean> {
    const cfg = readConfigFile(this.dir);
    const h = helperFor(cfg, server);
    let had = cfg.auths?.[server] !== undefined;
    if (h) {
      try {
        await this.helper(h, 'erase', server);
        had = true;
      } catch {
        /* nothing stored there */
      }
    }
    if (cfg.auths?.[server] !== undefined) writeConfigFile(this.dir, withEntry(cfg, server, undefined, true));
    return had;
  }
}
