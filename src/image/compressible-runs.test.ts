import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { byteEntropy, compressibleRuns } from './compressible-runs.js';

const KiB = 1024;
const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n'.repeat(Math.ceil(n / 55))).subarray(0, n);

test('byteEntropy: ~8 bits for random bytes, few for text, 0 for one repeated byte', () => {
  assert.ok(byteEntropy(randomBytes(4 * KiB)) > 7.8);
  assert.ok(byteEntropy(text(4 * KiB)) < 5);
  assert.equal(byteEntropy(Buffer.alloc(4 * KiB, 7)), 0);
});

test('runs follow the content, block by block, and cover the chunk exactly', () => {
  const buf = Buffer.concat([text(256 * KiB), randomBytes(512 * KiB), text(128 * KiB + 5)]);
  assert.deepEqual(compressibleRuns(buf, 1), [
    { start: 0, end: 256 * KiB, level: 1 },
    { start: 256 * KiB, end: 768 * KiB, level: 0 },
    { start: 768 * KiB, end: buf.length, level: 1 },
  ]);
  // Same bytes, same runs: the blob digest of a layer does not depend on when it was pushed.
  assert.deepEqual(compressibleRuns(buf, 1), compressibleRuns(Buffer.from(buf), 1));
});

test('a short tail block and level 0 are never sampled', () => {
  assert.deepEqual(compressibleRuns(randomBytes(1000), 1), [{ start: 0, end: 1000, level: 1 }]);
  assert.deepEqual(compressibleRuns(randomBytes(300 * KiB), 0), [{ start: 0, end: 300 * KiB, level: 0 }]);
  assert.deepEqual(compressibleRuns(Buffer.alloc(0), 1), [{ start: 0, end: 0, level: 1 }]);
});
