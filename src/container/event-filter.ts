import { invalidParameter } from '../base/engine-error.js';
import type { EngineEvent } from './event-log.js';

/** The filter keys GET /events knows (moby's daemon/events/filter.go). */
export const eventFilterKeys = [
  'config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume',
] as const;

type FilterMap = ReadonlyMap<string, readonly string[]>;

const exact = (f: FilterMap, key: string, value: string | undefined): boolean => {
  const want = f.get(key);
  return !want || want.length === 0 || (value !== undefined && want.includes(value));
};

/** moby's FuzzyMatch: an exact value or a prefix of it (IDs are matched by prefix). */
const fuzzy = (f: FilterMap, key: string, value: string | undefined): boolean => {
  const want = f.get(key);
  return !want || want.length === 0 || (value !== undefined && want.some((w) => value === w || value.startsWith(w)));
};

const stripTag = (image: string): string => {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(0, at);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
};

function matchesName(f: FilterMap, key: string, e: EngineEvent): boolean {
  if (!f.get(key)?.length) return true;
  if (e.type !== key) return false;
  return fuzzy(f, key, e.actor.id) || fuzzy(f, key, e.actor.attributes.name);
}

function matchesImage(f: FilterMap, e: EngineEvent): boolean {
  const want = f.get('image');
  if (!want?.length) return true;
  // Image events carry the reference in "name", container events in "image".
  const name = e.actor.attributes[e.type === 'image' ? 'name' : 'image'] ?? '';
  const candidates = [e.actor.id, name, stripTag(e.actor.id), stripTag(name)];
  return want.some((w) => candidates.includes(w));
}

function matchesLabels(f: FilterMap, attrs: Record<string, string>): boolean {
  for (const l of f.get('label') ?? []) {
    const eq = l.indexOf('=');
    if (eq < 0 ? !(l in attrs) : attrs[l.slice(0, eq)] !== l.slice(eq + 1)) return false;
  }
  return true;
}

function matchesEvent(f: FilterMap, action: string): boolean {
  const want = f.get('event');
  if (!want?.length) return true;
  // "exec_start: sh -c …": a filter without the colon part matches by prefix (moby #25798).
  const fuzzyActions = ['health_status', 'exec_create', 'exec_start'];
  if (want.some((w) => fuzzyActions.includes(w))) return want.some((w) => action === w || action.startsWith(w));
  return want.includes(action);
}

/** Refuses unknown filter keys with moby's wording. */
export function checkEventFilters(f: FilterMap): void {
  for (const key of f.keys()) {
    if (!(eventFilterKeys as readonly string[]).includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  }
}

/** Whether one event passes the filters; different keys AND, values of one key OR. */
export function eventMatches(f: FilterMap, e: EngineEvent): boolean {
  return (
    matchesEvent(f, e.action) &&
    exact(f, 'type', e.type) &&
    exact(f, 'scope', 'local') &&
    matchesName(f, 'container', e) &&
    matchesName(f, 'network', e) &&
    matchesName(f, 'volume', e) &&
    matchesName(f, 'plugin', e) &&
    matchesImage(f, e) &&
    matchesLabels(f, e.actor.attributes)
  );
}
