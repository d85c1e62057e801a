// SHA-256 of big streams (layer blobs and tars) on worker threads. Hashing a 250 MiB layer both
// compressed and plain costs the event loop ~0.3 s of SHA; copying the same bytes into a shared
// ring costs it a few milliseconds, and the hash then runs on another core. A small pool of
// threads serves every stream; when all are busy a stream hashes in-thread, as before.
import type { Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hasherDigest, newHasher, type Digest } from '../base/digest.js';
import { CTRL, RING_OFFSET, STATE, type HashThreadData } from './hash-thread-layout.js';

export interface StreamHasher {
  /** Takes the bytes; the caller must not change them until digest() (stream chunks never are). */
  update(chunk: Uint8Array): void;
  /** The digest of everything passed to update(); call once. */
  digest(): Promise<Digest>;
  /** Abandons the stream (it failed): the thread goes back to the pool. */
  release(): void;
}

/** A power of two, so ring positions stay right when the 32-bit byte counters wrap. */
const RING_SIZE = 4 * 1024 * 1024;
/** The thread is woken once this much is waiting, or at the end: not once per chunk. */
const WAKE_AT = 512 * 1024;
/** Past this backlog the event loop waits for the thread rather than holding more chunks. */
const MAX_BACKLOG = 32 * 1024 * 1024;
/** Streams shorter than this hash in-thread: a thread round trip would cost more. */
const SMALL_STREAM = 1024 * 1024;
/** An idle thread exits after this long. */
const IDLE_MS = 10_000;
const MAX_THREADS = Math.min(4, Math.max(2, availableParallelism()));

class HashThread {
  readonly ctrl: Int32Array;
  /** A Buffer over the ring: Buffer#copy is a plain memmove, TypedArray#set on shared memory is not. */
  readonly ring: Buffer;
  private readonly worker: Worker;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The stream using the thread now, told of its digest or of the thread's death. */
  job: { resolve(hex: string): void; reject(err: Error): void } | undefined;
  dead = false;

  constructor() {
    const shared = new SharedArrayBuffer(RING_OFFSET + RING_SIZE);
    this.ctrl = new Int32Array(shared, 0, CTRL.length);
    this.ring = Buffer.from(shared, RING_OFFSET, RING_SIZE);
    const data: HashThreadData = { shared, ringSize: RING_SIZE };
    this.worker = new Worker(new URL('./hash-thread-worker.js', import.meta.url), { workerData: data });
    this.worker.on('message', (hex: string) => {
      const job = this.job;
      this.job = undefined;
      job?.resolve(hex);
    });
    const die = (err: Error) => {
      if (this.dead) return;
      this.dead = true;
      forget(this);
      this.job?.reject(err);
      this.job = undefined;
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`hash thread exited with code ${code}`)));
  }

  /** Wakes the thread to look at the ring and its state. */
  wake(): void {
    Atomics.add(this.ctrl, CTRL.seq, 1);
    Atomics.notify(this.ctrl, CTRL.seq);
  }

  finish(): void {
    Atomics.store(this.ctrl, CTRL.state, STATE.finish);
    this.wake();
  }

  /** A thread with no stream does not keep the process alive; one with a stream does. */
  parkIdle(): void {
    this.worker.unref();
    this.idleTimer = setTimeout(() => this.quit(), IDLE_MS);
    this.idleTimer.unref();
  }

  unpark(): void {
    this.worker.ref();
    clearTimeout(this.idleTimer);
  }

  private quit(): void {
    this.dead = true;
    forget(this);
    Atomics.store(this.ctrl, CTRL.state, STATE.quit);
    this.wake();
  }
}

const idle: HashThread[] = [];
let live = 0;

function forget(t: HashThread): void {
  const i = idle.indexOf(t);
  if (i >= 0) idle.splice(i, 1);
  live--;
}

function acquire(): HashThread | undefined {
  for (;;) {
    const t = idle.pop();
    if (t === undefined) break;
    if (t.dead) continue;
    t.unpark();
    return t;
  }
  if (live >= MAX_THREADS) return undefined;
  live++;
  return new HashThread();
}

function giveBack(t: HashThread): void {
  if (t.dead) return;
  idle.push(t);
  t.parkIdle();
}

class ThreadHasher implements StreamHasher {
  private queue: Uint8Array[] = [];
  private backlog = 0;
  private pumping = false;
  private drained: (() => void) | undefined;
  private done = false;

  constructor(private readonly thread: HashThread) {}

  update(chunk: Uint8Array): void {
    if (this.done) throw new Error('hash stream already finished');
    if (this.queue.length === 0) {
      const n = this.copyIn(chunk);
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    this.queue.push(chunk);
    this.backlog += chunk.length;
    if (this.backlog > MAX_BACKLOG) this.drainBlocking();
    else this.pump();
  }

  async digest(): Promise<Digest> {
    if (this.done) throw new Error('hash stream already finished');
    this.done = true;
    const t = this.thread;
    try {
      const hex = await new Promise<string>((resolve, reject) => {
        if (t.dead) return reject(new Error('hash thread died'));
        // Set before the queue drains, so that the thread's death rejects whatever is awaited.
        t.job = { resolve, reject };
        const finish = () => t.finish();
        if (this.queue.length > 0) this.drained = finish;
        else finish();
      });
      return `sha256:${hex}`;
    } finally {
      giveBack(t);
    }
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.backlog = 0;
    const t = this.thread;
    if (t.dead) return;
    // The thread hashes what is left in the ring and posts a digest nobody reads; then it is free.
    t.job = { resolve: () => giveBack(t), reject: () => {} };
    t.finish();
  }

  /** Copies as much of `chunk` as the ring has room for; returns how much. */
  private copyIn(chunk: Uint8Array): number {
    const { ctrl, ring } = this.thread;
    const written = Atomics.load(ctrl, CTRL.written);
    const pending = (written - Atomics.load(ctrl, CTRL.consumed)) | 0;
    const n = Math.min(RING_SIZE - pending, chunk.length);
    if (n <= 0) return 0;
    const at = (written >>> 0) % RING_SIZE;
    const first = Math.min(n, RING_SIZE - at);
    const src = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    src.copy(ring, at, 0, first);
    if (n > first) src.copy(ring, 0, first, n);
    Atomics.store(ctrl, CTRL.written, (written + n) | 0);
    if (pending + n >= WAKE_AT) this.thread.wake();
    return n;
  }

  /** Copies queued chunks into the ring while it has room; true once the queue is empty. */
  private moveQueued(): boolean {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const n = this.copyIn(head);
      this.backlog -= n;
      if (n < head.length) {
        this.queue[0] = head.subarray(n);
        return false;
      }
      this.queue.shift();
    }
    return true;
  }

  /** Moves the queue into the ring as the thread frees room, without blocking the event loop. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = (): void => {
      const ctrl = this.thread.ctrl;
      while (!this.thread.dead) {
        // Read before trying: room the thread frees after this read ends the wait at once.
        const consumed = Atomics.load(ctrl, CTRL.consumed);
        if (this.moveQueued()) break;
        this.thread.wake();
        const w = waitAsync(ctrl, CTRL.consumed, consumed);
        if (w.async) {
          void (w.value as Promise<unknown>).then(step);
          return;
        }
      }
      this.pumping = false;
      if (this.queue.length === 0) this.drained?.();
    };
    step();
  }

  /** Too much is waiting: block until the thread has taken it all into the ring. */
  private drainBlocking(): void {
    const ctrl = this.thread.ctrl;
    while (!this.thread.dead) {
      const consumed = Atomics.load(ctrl, CTRL.consumed);
      if (this.moveQueued()) break;
      this.thread.wake();
      Atomics.wait(ctrl, CTRL.consumed, consumed, 50);
    }
    if (this.queue.length === 0) this.drained?.();
  }
}

/** Atomics.waitAsync (ES2024, in Node since 16), typed here: the project's lib is older. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> | string } }).waitAsync;

class InThreadHasher implements StreamHasher {
  private readonly hash: Hash = newHasher();
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): Promise<Digest> {
    return Promise.resolve(hasherDigest(this.hash));
  }
  release(): void {}
}

/**
 * A hasher for a stream of `expectedBytes` (undefined: unknown, assumed big): on a pooled thread
 * when one is free and the stream is big enough to be worth it, else on the event loop.
 */
export function streamHasher(expectedBytes?: number): StreamHasher {
  if (expectedBytes !== undefined && expectedBytes < SMALL_STREAM) return new InThreadHasher();
  const t = acquire();
  return t ? new ThreadHasher(t) : new InThreadHasher();
}
