// The shared memory between the event loop and a hashing thread (see hash-thread.ts): a control
// block of Int32 counters followed by a byte ring. Counters count bytes modulo 2^32 and are only
// ever compared by difference, which stays exact while the ring is smaller than 2^31.

/** Indexes into the control block. */
export const CTRL = {
  /** Bytes the event loop has copied into the ring. */
  written: 0,
  /** Bytes the thread has hashed. */
  consumed: 1,
  /** What the thread should do when the ring is empty (STATE). */
  state: 2,
  /** Bumped (and notified) on every event the thread waits for. */
  seq: 3,
  length: 4,
} as const;

export const STATE = { idle: 0, finish: 1, quit: 2 } as const;

/** The ring starts after the control block, 8-byte aligned. */
export const RING_OFFSET = 16;

export interface HashThreadData {
  shared: SharedArrayBuffer;
  ringSize: number;
}
