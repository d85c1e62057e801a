// The whole outcome of one suite run, as written to results.json and rendered to markdown and SVG.
import type { WorkloadInfo } from './comparison.js';
import type { Measurement, Unit } from './measurement.js';

export interface EngineInfo {
  name: string;
  present: boolean;
  /** e.g. "20.10.24+dfsg1"; absent when not installed. */
  version?: string;
  /** How it ran (flags, roots) or why it did not. */
  note: string;
}

export interface Failure {
  workload: string;
  engine: string;
  error: string;
}

export interface Report {
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string;
  host: { cpus: number; kernel: string; memTotalMiB: number; loadStart: number[]; loadEnd: number[] };
  engines: EngineInfo[];
  workloads: WorkloadInfo[];
  measurements: Measurement[];
  failures: Failure[];
  notes: string[];
}

/** Figures at a precision that matches their noise: whole ms above 100 ms, 2 decimals for s and MiB. */
export function formatValue(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return '—';
  if (unit === 'ms') return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
  if (unit === 's') return `${v.toFixed(2)} s`;
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} MiB`;
}

/** A ratio of medians with its plain reading ("3.2x faster"), since ratios are the result. */
export function formatRatio(r: number | undefined, unit: Unit): string {
  if (r === undefined) return '—';
  const better = unit === 'MiB' ? 'less' : 'faster';
  const worse = unit === 'MiB' ? 'more' : 'slower';
  if (r <= 1) return `${r.toFixed(2)} (${(1 / r).toFixed(1)}x ${better})`;
  return `${r.toFixed(2)} (${r.toFixed(1)}x ${worse})`;
}
