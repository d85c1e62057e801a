import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Small reads and writes of the host's network state through /proc and /sys (no spawning). */
export interface NetHost {
  /** The IPv4 routes' destinations as "a.b.c.d/len" (default routes left out). */
  routes(): string[];
  interfaces(): string[];
  sysctl(key: string, value: string): void;
}

/** /proc/net/route stores addresses as little-endian hex. */
export function parseProcNetRoute(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const dest = f[1];
    const mask = f[7];
    if (!dest || !mask || !/^[0-9A-Fa-f]{8}$/.test(dest) || !/^[0-9A-Fa-f]{8}$/.test(mask)) continue;
    const le = (h: string) => [6, 4, 2, 0].map((i) => parseInt(h.slice(i, i + 2), 16));
    const m = le(mask);
    const prefix = m.reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0);
    if (prefix === 0) continue;
    out.push(`${le(dest).join('.')}/${prefix}`);
  }
  return out;
}

export function createNetHost(): NetHost {
  return {
    routes: () => parseProcNetRoute(readFileSync('/proc/net/route', 'utf8')),
    interfaces: () => readdirSync('/sys/class/net'),
    sysctl: (key, value) => writeFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, value),
  };
}
