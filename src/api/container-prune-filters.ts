import type { ContainerRecord } from '../container/container-record.js';
import { invalidParameter } from '../base/engine-error.js';
import { untilInstant } from './image-prune-filters.js';
import { checkFilterKeys, type Filters } from './query.js';

/** moby's filters.MatchKVList for one value: `k` is present, or `k=v` holds exactly. */
function labelHolds(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq === -1) return Object.hasOwn(labels, want);
  const key = want.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === want.slice(eq + 1);
}

/**
 * `POST /containers/prune?filters=…` → which stopped containers go, as moby's ContainersPrune:
 * `until` keeps containers created after the instant (a timestamp, or a Go duration back from
 * now); every `label` must hold; `label!` spares a container only when all its values hold
 * (moby's MatchKVList on "label!", kept as is so the same filter prunes the same containers).
 */
export function containerPruneFilter(filters: Filters, now: number): (rec: Pick<ContainerRecord, 'created' | 'spec'>) => boolean {
  checkFilterKeys(filters, ['until', 'label', 'label!']);
  const untils = filters.get('until') ?? [];
  if (untils.length > 1) throw invalidParameter('more than one until filter specified');
  const until = untils[0] !== undefined ? untilInstant(untils[0], now) : undefined;
  const labels = filters.get('label') ?? [];
  const notLabels = filters.get('label!') ?? [];
  return (rec) => {
    if (until !== undefined && Date.parse(rec.created) > until) return false;
    const own = rec.spec.labels ?? {};
    if (!labels.every((l) => labelHolds(own, l))) return false;
    if (notLabels.length > 0 && notLabels.every((l) => labelHolds(own, l))) return false;
    return true;
  };
}
