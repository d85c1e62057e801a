import { readFileSync } from 'node:fs';
import type { AccessRule } from './access-policy.js';

/**
 * The registry's settings: command-line flags for the common ones, a JSON config file for the
 * rest; flags win. Validation happens here so a bad file fails at start-up with its path.
 */
export interface RegistryConfig {
  addr: string;
  root: string;
  tls: { cert: string; key: string } | undefined;
  auth: {
    mode: 'none' | 'basic' | 'token';
    htpasswd: string | undefined;
    anonymousPull: boolean;
    access: AccessRule[] | undefined;
    token: { service: string; issuer: string; ttlSeconds: number; realm: string | undefined; keyFile: string | undefined };
  };
  deleteEnabled: boolean;
  maxManifestBytes: number;
  maxInFlight: number;
  accessLog: boolean;
  metrics: boolean;
  shutdownTimeoutSeconds: number;
}

export interface ConfigFlags {
  addr?: string;
  root?: string;
  htpasswd?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export class ConfigError extends Error {}

type Json = Record<string, unknown>;
const obj = (v: unknown, where: string): Json => {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${where} must be an object`);
  return v as Json;
};
function opt<T extends 'string' | 'number' | 'boolean'>(o: Json, key: string, type: T, where: string): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new ConfigError(`${where}.${key} must be a ${type}`);
  return v as never;
}

export function loadConfigFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
}

function accessRules(v: unknown): AccessRule[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ConfigError('auth.access must be an array');
  return v.map((r, i) => {
    const o = obj(r, `auth.access[${i}]`);
    const repository = opt(o, 'repository', 'string', `auth.access[${i}]`);
    if (repository === undefined) throw new ConfigError(`auth.access[${i}].repository is required`);
    const users = obj(o['users'], `auth.access[${i}].users`);
    for (const [u, acts] of Object.entries(users)) {
      if (!Array.isArray(acts) || !acts.every((a) => ['pull', 'push', 'delete', '*'].includes(a as string))) {
        throw new ConfigError(`auth.access[${i}].users.${u} must list pull, push, delete or *`);
      }
    }
    return { repository, users: users as AccessRule['users'] };
  });
}

export function resolveConfig(file: unknown, flags: ConfigFlags): RegistryConfig {
  const f = obj(file, 'config');
  const auth = obj(f['auth'], 'auth');
  const token = obj(auth['token'], 'auth.token');
  const tls = obj(f['tls'], 'tls');
  const limits = obj(f['limits'], 'limits');
  const root = flags.root ?? opt(f, 'root', 'string', 'config');
  if (root === undefined || root === '') throw new ConfigError('a storage root is required (--root or "root" in the config)');
  const htpasswd = flags.htpasswd ?? opt(auth, 'htpasswd', 'string', 'auth');
  const mode = opt(auth, 'mode', 'string', 'auth') ?? (htpasswd !== undefined ? 'basic' : 'none');
  if (mode !== 'none' && mode !== 'basic' && mode !== 'token') throw new ConfigError('auth.mode must be none, basic or token');
  if (mode === 'basic' && htpasswd === undefined) throw new ConfigError('basic auth needs an htpasswd file (--htpasswd)');
  const cert = flags.tlsCert ?? opt(tls, 'cert', 'string', 'tls');
  const key = flags.tlsKey ?? opt(tls, 'key', 'string', 'tls');
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError('TLS needs both a certificate and a key');
  return {
    addr: flags.addr ?? opt(f, 'addr', 'string', 'config') ?? '127.0.0.1:5000',
    root,
    tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    auth: {
      mode,
      htpasswd,
      anonymousPull: opt(auth, 'anonymousPull', 'boolean', 'auth') ?? false,
      access: accessRules(auth['access']),
      token: {
        service: opt(token, 'service', 'string', 'auth.token') ?? 'skiff-registry',
        issuer: opt(token, 'issuer', 'string', 'auth.token') ?? 'skiff-registry',
        ttlSeconds: opt(token, 'ttlSeconds', 'number', 'auth.token') ?? 300,
        realm: opt(token, 'realm', 'string', 'auth.token'),
        keyFile: opt(token, 'keyFile', 'string', 'auth.token'),
      },
    },
    deleteEnabled: opt(obj(f['storage'], 'storage'), 'delete', 'boolean', 'storage') ?? true,
    maxManifestBytes: opt(limits, 'maxManifestBytes', 'number', 'limits') ?? 4 * 1024 * 1024,
    maxInFlight: opt(limits, 'maxInFlight', 'number', 'limits') ?? 0,
    accessLog: opt(obj(f['log'], 'log'), 'access', 'boolean', 'log') ?? true,
    metrics: opt(f, 'metrics', 'boolean', 'config') ?? true,
    shutdownTimeoutSeconds: opt(f, 'shutdownTimeoutSeconds', 'number', 'config') ?? 30,
  };
}

/** "host:port", ":port" or "[v6]:port". */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (m === null) throw new ConfigError(`invalid address ${addr}: want host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`invalid port in ${addr}`);
  return { host: m[1] ?? (m[2] === '' || m[2] === undefined ? '0.0.0.0' : m[2]), port };
}
