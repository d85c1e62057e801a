import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLimit } from './map-limit.js';

describe('mapLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n * 3));
      inFlight--;
      return `${i}:${n}`;
    });
    assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3']);
    assert.equal(peak, 2);
  });

  it('rejects when one item fails', async () => {
    await assert.rejects(mapLimit([1, 2], 2, async (n) => {
      if (n === 2) throw new Error('boom');
      return n;
    }), /boom/);
  });
});
