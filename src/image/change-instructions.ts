import { posix } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import type { ContainerConfigFields } from './image-config.js';

/**
 * `--change` instructions of `docker import` / `docker commit`: a subset of Dockerfile
 * instructions applied to an image config. Pure. Returns a new config; the input is not changed.
 */
const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

export function applyChanges(base: ContainerConfigFields, changes: readonly string[]): ContainerConfigFields {
  const config: ContainerConfigFields = structuredClone(base);
  const lines = changes
    .join('\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const parsed = lines.map((line) => {
    const m = /^(\S+)\s*(.*)$/s.exec(line);
    const keyword = (m?.[1] ?? '').toLowerCase();
    if (!VALID.has(keyword)) throw invalidParameter(`${keyword} is not a valid change command`);
    return { keyword, rest: m?.[2] ?? '' };
  });
  let cmdSet = false;
  for (const { keyword, rest } of parsed) {
    const env = envMap(config.Env);
    switch (keyword) {
      case 'cmd':
        config.Cmd = commandForm(rest);
        cmdSet = true;
        break;
      case 'entrypoint':
        config.Entrypoint = rest.trim() === '' ? null : commandForm(rest);
        // A new ENTRYPOINT drops an inherited CMD (Dockerfile semantics).
        if (!cmdSet) config.Cmd = null;
        break;
      case 'env':
        for (const [k, v] of keyValues(rest, env, 'ENV')) {
          env.set(k, v);
          config.Env = setEnv(config.Env ?? [], k, v);
        }
        break;
      case 'label':
        config.Labels = { ...(config.Labels ?? {}) };
        for (const [k, v] of keyValues(rest, env, 'LABEL')) config.Labels[k] = v;
        break;
      case 'workdir': {
        const dir = words(rest, env).join(' ');
        config.WorkingDir = posix.isAbsolute(dir) ? posix.normalize(dir) : posix.join('/', config.WorkingDir ?? '', dir);
        break;
      }
      case 'user':
        config.User = words(rest, env).join(' ');
        break;
      case 'expose':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
        for (const p of words(rest, env).flatMap(expandPort)) config.ExposedPorts[p] = {};
        break;
      case 'volume': {
        const vols = jsonArray(rest) ?? words(rest, env);
        config.Volumes = { ...(config.Volumes ?? {}) };
        for (const v of vols) {
          if (v.trim() === '') throw invalidParameter('VOLUME specified can not be an empty string');
          config.Volumes[v] = {};
        }
        break;
      }
      case 'stopsignal':
        config.StopSignal = words(rest, env).join(' ');
        break;
      case 'onbuild': {
        const trigger = (/^\S+/.exec(rest)?.[0] ?? '').toUpperCase();
        if (trigger === 'ONBUILD') throw invalidParameter("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger === 'FROM' || trigger === 'MAINTAINER') throw invalidParameter(`${trigger} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), rest];
        break;
      }
      case 'healthcheck':
        config.Healthcheck = healthcheck(rest);
        break;
    }
  }
  return config;
}

/** JSON form `["a","b"]` as is; anything else is shell form, run by /bin/sh -c. */
function commandForm(rest: string): string[] {
  return jsonArray(rest) ?? ['/bin/sh', '-c', rest];
}

function jsonArray(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form
  }
  return undefined;
}

function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

function setEnv(env: string[], key: string, value: string): string[] {
  const out = env.filter((e) => e.split('=')[0] !== key);
  out.push(`${key}=${value}`);
  return out;
}

/** `k=v k2="v 2"`, or the legacy `k value with spaces` form. */
function keyValues(rest: string, env: Map<string, string>, what: string): Array<[string, string]> {
  const ws = words(rest, env);
  const first = ws[0];
  if (first === undefined) throw invalidParameter(`${what} requires at least one argument`);
  if (!first.includes('=')) {
    if (ws.length < 2) throw invalidParameter(`${what} must have two arguments`);
    return [[first, ws.slice(1).join(' ')]];
  }
  return ws.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalidParameter(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Shell-like words: quotes, backslash escapes and $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} from `env`. */
export function words(s: string, env: Map<string, string>): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const expand = (): string => {
    // at s[i] === '$'
    const rest = s.slice(i + 1);
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}/.exec(rest);
    if (braced) {
      i += braced[0].length + 1;
      const v = env.get(braced[1] ?? '');
      if (braced[2] === '-') return v === undefined || v === '' ? (braced[3] ?? '') : v;
      if (braced[2] === '+') return v === undefined || v === '' ? '' : (braced[3] ?? '');
      return v ?? '';
    }
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (plain) {
      i += plain[0].length + 1;
      return env.get(plain[0]) ?? '';
    }
    i += 1;
    return '$';
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalidParameter('unexpected end of statement while looking for matching single-quote');
      cur += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw invalidParameter('unexpected end of statement while looking for matching double-quote');
        const d = s[i] as string;
        if (d === '"') break;
        if (d === '\\' && /["\\$]/.test(s[i + 1] ?? '')) {
          cur += s[i + 1];
          i += 2;
        } else if (d === '$') cur += expand();
        else {
          cur += d;
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      cur += expand();
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** "80" → "80/tcp"; "8000-8001/udp" → both ports. */
function expandPort(p: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
  if (!m) throw invalidParameter(`Invalid containerPort: ${p}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (end < start || end > 65535) throw invalidParameter(`Invalid range specified for the Port: ${p}`);
  const out: string[] = [];
  for (let n = start; n <= end; n++) out.push(`${n}/${proto}`);
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go duration ("30s", "1m30s") in nanoseconds. */
function parseDuration(flag: string, v: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(v)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 0);
    consumed = re.lastIndex;
  }
  if (v === '' || consumed !== v.length) throw invalidParameter(`time: invalid duration "${v}" for --${flag}`);
  return Math.round(total);
}

function healthcheck(rest: string): NonNullable<ContainerConfigFields['Healthcheck']> {
  let r = rest.trim();
  const hc: NonNullable<ContainerConfigFields['Healthcheck']> = {};
  for (;;) {
    const m = /^--([a-z-]+)=(\S*)\s*/.exec(r);
    if (!m) break;
    const [, flag = '', value = ''] = m;
    if (flag === 'interval') hc.Interval = parseDuration(flag, value);
    else if (flag === 'timeout') hc.Timeout = parseDuration(flag, value);
    else if (flag === 'start-period') hc.StartPeriod = parseDuration(flag, value);
    else if (flag === 'retries') hc.Retries = Number.parseInt(value, 10);
    else throw invalidParameter(`Unknown flag: ${flag}`);
    r = r.slice(m[0].length);
  }
  const m = /^(\S+)\s*(.*)$/s.exec(r);
  const kind = (m?.[1] ?? '').toUpperCase();
  if (kind === 'NONE') return { Test: ['NONE'] };
  if (kind !== 'CMD') throw invalidParameter(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
  const args = m?.[2] ?? '';
  const json = jsonArray(args);
  hc.Test = json ? ['CMD', ...json] : ['CMD-SHELL', args];
  return hc;
}
