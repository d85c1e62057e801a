// How big each workload is: the full run uses the figures (250 MiB rootfs, 100 MiB of
// changes, 50 concurrent runs, 50 monitors, 200 containers); --quick shrinks every count so a
// smoke run of the whole suite finishes in a few minutes.
import type { BenchEngine } from '../engines.js';
import type { Measurement } from '../report/measurement.js';

export interface Params {
  /** Timed runs per latency workload (run, exec), after `warmups` untimed ones. */
  latencyRuns: number;
  warmups: number;
  buildRuns: number;
  rootfsMiB: number;
  /** Samples of import and of push+pull. */
  transferRuns: number;
  commitMiB: number;
  commitRuns: number;
  concurrent: number;
  concurrentReps: number;
  idleReadings: number;
  /** Running containers when monitor memory is read. */
  memContainers: number;
  /** Containers started in the fleet workload, `fleetParallel` CLI processes at a time. */
  fleet: number;
  fleetParallel: number;
  /** Latency workloads run in this many rounds alternating the engines, so load drift on a shared host hits all alike. */
  rounds: number;
}

export function paramsFor(quick: boolean): Params {
  return quick
    ? { latencyRuns: 3, warmups: 1, buildRuns: 1, rootfsMiB: 32, transferRuns: 1, commitMiB: 16, commitRuns: 1, concurrent: 10, concurrentReps: 1, idleReadings: 3, memContainers: 10, fleet: 20, fleetParallel: 5, rounds: 1 }
    : { latencyRuns: 20, warmups: 3, buildRuns: 5, rootfsMiB: 250, transferRuns: 3, commitMiB: 100, commitRuns: 3, concurrent: 50, concurrentReps: 3, idleReadings: 5, memContainers: 50, fleet: 200, fleetParallel: 10, rounds: 3 };
}

/** Round `r`'s share of `n` samples split over `rounds` (the first rounds take the remainder). */
export function share(n: number, rounds: number, r: number): number {
  return Math.floor(n / rounds) + (r < n % rounds ? 1 : 0);
}

/** The params for round `r` of an interleaved step: its share of the samples, one warm-up after the first round. */
export function roundParams(p: Params, r: number): Params {
  const n = (k: number) => share(k, p.rounds, r);
  return { ...p, latencyRuns: n(p.latencyRuns), buildRuns: n(p.buildRuns), concurrentReps: n(p.concurrentReps), warmups: r === 0 ? p.warmups : Math.min(1, p.warmups) };
}

export interface WorkloadContext {
  params: Params;
  /** A private scratch directory, removed at the end of the suite. */
  work: string;
  /** The busybox rootfs tarball every engine imports as `busybox`. */
  busybox: string;
  /** The big rootfs tarball (params.rootfsMiB), made once on first use. */
  bigRootfs(): Promise<string>;
}

/** A workload measures one engine and returns one or more measurements (ids from the catalogue). */
export type Workload = (e: BenchEngine, ctx: WorkloadContext) => Promise<Measurement[]>;
