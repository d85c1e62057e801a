import { invalidParameter } from '../base/engine-error.js';

/**
 * IPv6 addresses as unsigned 128-bit BigInts, and CIDR blocks over them. Pure. Kept apart from
 * ipv4.ts (numbers) because 128 bits do not fit a JS number and every caller knows its family.
 */

export interface Cidr6 {
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const ALL = (1n << 128n) - 1n;

/** Parses RFC 4291 text ("fd00::1", "::", "::ffff:1.2.3.4"); no zone ids, no brackets. */
export function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return undefined;
  let text = s;
  // An embedded dotted quad is the last 32 bits.
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const bytes = quad.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  } else if (text.includes('.')) {
    return undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (2+) of zero groups as "::". */
export function formatIPv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

export function maskOf6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

/** "fd00:1::/64" → Cidr6; host bits set are refused, as for IPv4 subnets. */
export function parseCidr6(s: string): Cidr6 {
  const [addr = '', len = '', ...rest] = s.split('/');
  const ip = parseIPv6(addr);
  const prefix = /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 128)) throw invalidParameter(`invalid CIDR address: ${s}`);
  const base = ip & maskOf6(prefix);
  if (base !== ip) throw invalidParameter(`invalid subnet ${s}: it should be ${formatIPv6(base)}/${prefix}`);
  return { base, prefix };
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIPv6(c.base)}/${c.prefix}`;
}

export function cidr6Contains(c: Cidr6, ip: bigint): boolean {
  return (ip & maskOf6(c.prefix)) === c.base;
}

export function cidr6Overlaps(a: Cidr6, b: Cidr6): boolean {
  const m = maskOf6(Math.min(a.prefix, b.prefix));
  return (a.base & m) === (b.base & m);
}

/** The last address of the block. */
export function cidr6Last(c: Cidr6): bigint {
  return c.base | (~maskOf6(c.prefix) & ALL);
}

/** Whether text is an IPv6 address (the cheap test callers use to pick a family). */
export function isIPv6Text(s: string): boolean {
  return s.includes(':');
}
