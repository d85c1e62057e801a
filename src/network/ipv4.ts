import { invalidParameter } from '../base/engine-error.js';

/** IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks over them. Pure. */

export interface Cidr {
  /** The network address (host bits cleared). */
  base: number;
  prefix: number;
}

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.1.0.0/16" → Cidr; Docker's wording for a bad one. Host bits set are refused, as Docker refuses them. */
export function parseCidr(s: string): Cidr {
  const [addr = '', len = '', ...rest] = s.split('/');
  const ip = parseIPv4(addr);
  const prefix = /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) throw invalidParameter(`invalid CIDR address: ${s}`);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (base !== ip) throw invalidParameter(`invalid subnet ${s}: it should be ${formatIPv4(base)}/${prefix}`);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const m = maskOf(p);
  return ((a.base & m) >>> 0) === ((b.base & m) >>> 0);
}
