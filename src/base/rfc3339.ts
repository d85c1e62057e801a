/** RFC 3339 with nanoseconds, as Go prints time.Time in JSON (e.g. 2026-11-29T19:24:44.123456789Z). */
export function rfc3339Nano(ms: number = Date.now(), extraNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-11-29T19:24:44.123Z
  const frac = String((ms % 1000) * 1_000_000 + extraNanos).padStart(9, '0').replace(/0+$/, '');
  return iso.slice(0, 19) + (frac ? `.${frac}` : '') + 'Z';
}

/** Unix seconds of an RFC 3339 string (fractions dropped). */
export function unixSeconds(rfc: string): number {
  return Math.floor(Date.parse(rfc) / 1000);
}

/** Parses Go's RFC3339Nano into [ms, nanos within the ms]; keeps ordering precise enough for logs. */
export function parseNanoTime(rfc: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(rfc);
  if (!m) return BigInt(Date.parse(rfc)) * 1_000_000n;
  const secs = BigInt(Date.parse(`${m[1]}${m[3]}`)) / 1000n;
  const frac = BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return secs * 1_000_000_000n + frac;
}
