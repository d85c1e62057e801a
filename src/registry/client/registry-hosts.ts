import { readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/**
 * Where a registry domain is reached and how: scheme, TLS roots. Docker's rules: docker.io is
 * registry-1.docker.io; localhost, 127.0.0.0/8 and ::1 (and registries listed insecure) may be
 * plain HTTP; everything else needs verified TLS, with extra CAs from `<certsDir>/<host:port>/*.crt`.
 */
export interface RegistryHostsConfig {
  /** `--insecure-registry` entries: "host:port", "host", or CIDR "10.0.0.0/8". */
  insecure: readonly string[];
  /** Docker's certs.d equivalent (default /etc/skiff/certs.d). */
  certsDir: string;
}

export interface RegistryEndpoint {
  /** The reference domain ("docker.io", "127.0.0.1:5000"). */
  domain: string;
  /** host[:port] to connect to. */
  host: string;
  /** Schemes to try, in order: insecure registries try https (unverified) then http, as dockerd. */
  schemes: Array<'https' | 'http'>;
  /** false for insecure registries: TLS without verification. */
  verifyTls: boolean;
  /** Extra CA certificates (PEM) for this host. */
  ca: string[];
  /** Client certificate and key (PEM) from certs.d, when present. */
  cert?: string;
  key?: string;
}

export const DEFAULT_CERTS_DIR = '/etc/skiff/certs.d';

/** The login server address as docker sends it ("https://index.docker.io/v1/", "localhost:5000") → domain. */
export function domainOfServerAddress(address: string): string {
  let s = address.trim().replace(/^https?:\/\//, '');
  s = s.split('/')[0] ?? '';
  if (s === '' || s === 'index.docker.io' || s === 'registry-1.docker.io' || s === 'docker.io') return 'docker.io';
  return s.toLowerCase();
}

/** The config.json key docker uses for a domain: Docker Hub is "https://index.docker.io/v1/". */
export function serverAddressOfDomain(domain: string): string {
  return domain === 'docker.io' ? 'https://index.docker.io/v1/' : domain;
}

function hostname(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && !hostPort.slice(0, i).includes(':') ? hostPort.slice(0, i) : hostPort;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bitsS = ''] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(net) !== 4) return false;
  const bits = Number(bitsS);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
}

/** Whether plain HTTP (or unverified TLS) is allowed for this registry domain. */
export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  const host = hostname(domain);
  if (host === 'localhost' || host === '::1' || inCidr(host, '127.0.0.0/8')) return true;
  return insecure.some((e) => (e.includes('/') ? inCidr(host, e) : e === domain || e === host));
}

function readCerts(dir: string): { ca: string[]; cert?: string; key?: string } {
  const out: { ca: string[]; cert?: string; key?: string } = { ca: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.endsWith('.crt')) out.ca.push(readFileSync(join(dir, n), 'utf8'));
    else if (n.endsWith('.cert')) out.cert = readFileSync(join(dir, n), 'utf8');
    else if (n.endsWith('.key')) out.key = readFileSync(join(dir, n), 'utf8');
  }
  return out;
}

export function resolveEndpoint(domain: string, cfg: RegistryHostsConfig): RegistryEndpoint {
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const insecure = domain !== 'docker.io' && isInsecureRegistry(domain, cfg.insecure);
  const certs = readCerts(join(cfg.certsDir, domain));
  const ep: RegistryEndpoint = { domain, host, schemes: insecure ? ['https', 'http'] : ['https'], verifyTls: !insecure, ca: certs.ca };
  if (certs.cert !== undefined) ep.cert = certs.cert;
  if (certs.key !== undefined) ep.key = certs.key;
  return ep;
}
