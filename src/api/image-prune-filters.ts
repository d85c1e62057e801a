import { invalidParameter } from '../base/engine-error.js';
import type { ImagePruneFilters } from '../image/image-prune.js';
import { boolValue, checkFilterKeys, type Filters } from './query.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("90s", "1h30m", "0.5h") in ms, or undefined when `s` is not one. */
export function goDurationMs(s: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return ms;
}

/**
 * moby's timetypes.GetTimestamp as `until` uses it: a duration counts back from now; otherwise
 * unix seconds (with an optional fraction) or an RFC 3339 date/time. Returns ms since epoch.
 */
export function untilInstant(v: string, now: number): number {
  const d = goDurationMs(v);
  if (d !== undefined) return now - d;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  throw invalidParameter(`failed to parse value as time or duration: "${v}"`);
}

/** `POST /images/prune?filters=…` → what to prune; unknown keys get moby's "invalid filter". */
export function imagePruneFilters(filters: Filters, now: number): ImagePruneFilters {
  checkFilterKeys(filters, ['dangling', 'label', 'label!', 'until']);
  const dangling = filters.get('dangling') ?? [];
  for (const v of dangling) {
    if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalidParameter(`invalid filter 'dangling=${v}'`);
  }
  const untils = filters.get('until') ?? [];
  if (untils.length > 1) throw invalidParameter('more than one until filter specified');
  const out: ImagePruneFilters = {
    // moby: dangling defaults to true; any value that is not true means "all unused images".
    danglingOnly: dangling.length === 0 || dangling.every((v) => boolValue(v)),
    labels: filters.get('label') ?? [],
    notLabels: filters.get('label!') ?? [],
  };
  if (untils[0] !== undefined) out.until = untilInstant(untils[0], now);
  return out;
}
