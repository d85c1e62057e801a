import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { streamHasher } from './hash-thread.js';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Feeds `data` in chunks of the given sizes (cycled), yielding to the event loop now and then. */
async function hashInChunks(data: Buffer, sizes: number[], expected?: number): Promise<string> {
  const h = streamHasher(expected);
  let k = 0;
  for (let off = 0; off < data.length; k++) {
    const n = sizes[k % sizes.length] as number;
    h.update(data.subarray(off, off + n));
    off += n;
    if (k % 7 === 0) await new Promise((r) => setImmediate(r));
  }
  return h.digest();
}

test('digests equal createHash for small, odd, ring-sized and bigger-than-the-ring chunks', async () => {
  const data = randomBytes(23 * 1024 * 1024 + 5);
  const want = sha(data);
  assert.equal(await hashInChunks(data, [1, 65536, 3]), want);
  assert.equal(await hashInChunks(data, [4 * 1024 * 1024]), want);
  assert.equal(await hashInChunks(data, [9 * 1024 * 1024 + 1, 511]), want);
  // Fed all at once without yielding: the backlog limit makes the event loop wait for the thread.
  const h = streamHasher();
  for (let off = 0; off < data.length; off += 1024 * 1024) h.update(data.subarray(off, off + 1024 * 1024));
  assert.equal(await h.digest(), want);
});

test('chunks bigger than the ring, fed without yielding, are hashed whole and in order', async () => {
  const whole: Buffer[] = [];
  const h = streamHasher();
  for (let i = 0; i < 5; i++) {
    const c = Buffer.alloc(6 * 1024 * 1024, i + 1);
    whole.push(c);
    h.update(c); // more than the ring holds: part of it has to wait
  }
  assert.equal(await h.digest(), sha(Buffer.concat(whole)));
});

test('more streams at once than threads, empty streams, released streams: all right, threads reused', async () => {
  const inputs = Array.from({ length: 9 }, (_, i) => randomBytes(i === 0 ? 0 : 2 * 1024 * 1024 + i));
  const results = await Promise.all(inputs.map((d) => hashInChunks(d, [300_000])));
  results.forEach((r, i) => assert.equal(r, sha(inputs[i] as Buffer)));

  const abandoned = streamHasher();
  abandoned.update(randomBytes(5 * 1024 * 1024));
  abandoned.release();
  const again = randomBytes(3 * 1024 * 1024);
  assert.equal(await hashInChunks(again, [100_000]), sha(again));
  // A small stream of known size never needs a thread.
  assert.equal(await hashInChunks(Buffer.from('abc'), [1], 3), sha(Buffer.from('abc')));
});

test('digest twice or update after digest is a programming error', async () => {
  const h = streamHasher();
  h.update(Buffer.from('x'));
  await h.digest();
  assert.throws(() => h.update(Buffer.from('y')), /already finished/);
  await assert.rejects(h.digest(), /already finished/);
});
