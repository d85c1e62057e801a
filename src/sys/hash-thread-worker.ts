// The thread behind hash-thread.ts: hashes whatever the event loop copies into the shared ring,
// one stream at a time, and posts each stream's digest when asked to finish it.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { CTRL, RING_OFFSET, STATE, type HashThreadData } from './hash-thread-layout.js';

const { shared, ringSize } = workerData as HashThreadData;
const ctrl = new Int32Array(shared, 0, CTRL.length);
const ring = new Uint8Array(shared, RING_OFFSET, ringSize);
let hash = createHash('sha256');

for (;;) {
  // Read the event counter before looking: an event after this read makes the wait return at once.
  const seq = Atomics.load(ctrl, CTRL.seq);
  const written = Atomics.load(ctrl, CTRL.written);
  const consumed = Atomics.load(ctrl, CTRL.consumed);
  const pending = (written - consumed) | 0;
  if (pending > 0) {
    const at = (consumed >>> 0) % ringSize;
    const n = Math.min(pending, ringSize - at);
    hash.update(ring.subarray(at, at + n));
    Atomics.store(ctrl, CTRL.consumed, (consumed + n) | 0);
    Atomics.notify(ctrl, CTRL.consumed);
    continue;
  }
  const state = Atomics.load(ctrl, CTRL.state);
  if (state === STATE.finish) {
    const digest = hash.digest('hex');
    hash = createHash('sha256');
    Atomics.store(ctrl, CTRL.state, STATE.idle);
    parentPort?.postMessage(digest);
    continue;
  }
  if (state === STATE.quit) break;
  Atomics.wait(ctrl, CTRL.seq, seq);
}
