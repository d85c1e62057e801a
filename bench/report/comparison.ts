// Turns measurements into table rows: skiff's figure, each other engine's, the skiff/other ratio
// of medians and whether the target is met. Every workload here is lower-is-better
// (time or memory), so a ratio below 1 means skiff wins.
import type { Measurement, Unit } from './measurement.js';

/** A target is either on the ratio to a baseline engine or on skiff's own figure. */
export type Target =
  | { kind: 'ratio'; against: string; max: number; text: string }
  | { kind: 'absolute'; max: number; text: string };

export interface WorkloadInfo {
  id: string;
  title: string;
  unit: Unit;
  target?: Target;
  /** Compare the other engines' figures of this workload instead (e.g. skiff's own CLI against `docker run` on dockerd). */
  baseline?: string;
}

export type Verdict = 'met' | 'not met' | 'no baseline' | 'failed' | 'none';

export interface Row {
  info: WorkloadInfo;
  /** Keyed by engine name; absent when that engine was not measured (or failed). */
  figures: Record<string, Measurement | undefined>;
  /** skiff median / other median, keyed by the other engine's name. */
  ratios: Record<string, number | undefined>;
  verdict: Verdict;
}

export function ratio(ours: Measurement | undefined, theirs: Measurement | undefined): number | undefined {
  if (ours === undefined || theirs === undefined) return undefined;
  const r = ours.median / theirs.median;
  return Number.isFinite(r) ? r : undefined;
}

export function verdictOf(target: Target | undefined, ours: Measurement | undefined, ratios: Record<string, number | undefined>): Verdict {
  if (target === undefined) return 'none';
  if (ours === undefined || Number.isNaN(ours.median)) return 'failed';
  if (target.kind === 'absolute') return ours.median <= target.max ? 'met' : 'not met';
  const r = ratios[target.against];
  if (r === undefined) return 'no baseline';
  return r <= target.max ? 'met' : 'not met';
}

/** One row per workload, in the catalogue's order; `engines` lists the others (not skiff). */
export function buildRows(workloads: readonly WorkloadInfo[], measurements: readonly Measurement[], others: readonly string[]): Row[] {
  const find = (w: string, e: string) => measurements.find((m) => m.workload === w && m.engine === e);
  return workloads.map((info) => {
    const ours = find(info.id, 'skiff');
    const figures: Record<string, Measurement | undefined> = { skiff: ours };
    const ratios: Record<string, number | undefined> = {};
    for (const e of others) {
      figures[e] = find(info.baseline ?? info.id, e);
      ratios[e] = ratio(ours, figures[e]);
    }
    return { info, figures, ratios, verdict: verdictOf(info.target, ours, ratios) };
  });
}
