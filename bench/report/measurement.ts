// The one result shape every workload returns: raw samples plus the summary the tables print.
// Spread is p10–p90 (nearest rank), not a standard deviation: latencies on a shared host are
// skewed, and a percentile band says honestly how wide the noise was.

export type Unit = 'ms' | 's' | 'MiB';

export interface Measurement {
  /** Workload id, e.g. "run-true-docker" (see WorkloadInfo). */
  workload: string;
  /** Engine name: "skiff", "dockerd" or "podman". */
  engine: string;
  unit: Unit;
  samples: number[];
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
  /** What was measured exactly, when the title alone does not say (e.g. "dockerd 41 + containerd 30"). */
  note?: string;
}

/** Nearest-rank percentile of already sorted values; NaN for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? NaN;
}

/** The median interpolates between the middle two, so two samples give their mean. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export function summarize(workload: string, engine: string, unit: Unit, samples: readonly number[], note?: string): Measurement {
  const s = [...samples].sort((a, b) => a - b);
  const m: Measurement = {
    workload,
    engine,
    unit,
    samples: [...samples],
    median: median(s),
    p10: percentile(s, 0.1),
    p90: percentile(s, 0.9),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
  if (note !== undefined) m.note = note;
  return m;
}

/** Milliseconds since `start` (from process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `fn` and returns how long it took, in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return msSince(t);
}

/** Joins the samples of measurements of the same workload and engine (interleaved rounds) into one. */
export function mergeMeasurements(parts: readonly Measurement[]): Measurement[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of parts) {
    const key = `${m.workload}\0${m.engine}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as Measurement;
    const note = g.map((m) => m.note).filter((n): n is string => n !== undefined).at(-1);
    return summarize(first.workload, first.engine, first.unit, g.flatMap((m) => m.samples), note);
  });
}
