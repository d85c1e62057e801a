import { invalidParameter } from '../base/engine-error.js';

/** moby's httputils.BoolValue: "", 0, no, false, none are false; anything else is true. */
export function boolValue(v: string | null | undefined): boolean {
  if (v === null || v === undefined) return false;
  const s = v.trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

export function boolOr(v: string | null | undefined, fallback: boolean): boolean {
  return v === null || v === undefined ? fallback : boolValue(v);
}

export function intValue(v: string | null | undefined, name: string): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidParameter(`invalid value for ${name}: ${v}`);
  return n;
}

/** Filters as a map of key → list of values; accepts both the map form and the legacy array form. */
export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null | undefined): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`invalid filter '${raw}'`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParameter(`invalid filter '${raw}'`);
  for (const [key, val] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(val)) out.set(key, val.map(String));
    else if (val && typeof val === 'object') out.set(key, Object.entries(val).filter(([, on]) => on).map(([k]) => k));
    else throw invalidParameter(`invalid filter '${raw}'`);
  }
  return out;
}

/** Refuse filter keys an endpoint does not know, with moby's wording. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of filters.keys()) {
    if (!allowed.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  }
}
