import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, mergeMeasurements, percentile, summarize } from './measurement.js';

describe('measurement', () => {
  it('summarize gives median and nearest-rank p10/p90 of unsorted samples', () => {
    const m = summarize('w', 'skiff', 'ms', [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    assert.equal(m.median, 5.5);
    assert.equal(m.p10, 1);
    assert.equal(m.p90, 9);
    assert.equal(m.min, 1);
    assert.equal(m.max, 10);
    assert.deepEqual(m.samples, [10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 'samples keep their measured order');
  });

  it('summarize of one sample makes every figure that sample', () => {
    const m = summarize('w', 'dockerd', 's', [2.5], 'one run');
    assert.deepEqual([m.median, m.p10, m.p90, m.min, m.max], [2.5, 2.5, 2.5, 2.5, 2.5]);
    assert.equal(m.note, 'one run');
  });

  it('summarize of no samples gives NaN rather than a made-up zero', () => {
    const m = summarize('w', 'skiff', 'ms', []);
    assert.ok(Number.isNaN(m.median) && Number.isNaN(m.p90) && Number.isNaN(m.min));
  });

  it('mergeMeasurements pools the samples of each workload and engine across rounds', () => {
    const merged = mergeMeasurements([
      summarize('run', 'skiff', 'ms', [1, 2]),
      summarize('run', 'dockerd', 'ms', [10]),
      summarize('run', 'skiff', 'ms', [3], 'last note'),
      summarize('run', 'skiff', 'ms', []),
    ]);
    assert.equal(merged.length, 2);
    const s = merged.find((m) => m.engine === 'skiff');
    assert.deepEqual(s?.samples, [1, 2, 3]);
    assert.equal(s?.median, 2);
    assert.equal(s?.note, 'last note');
    assert.deepEqual(merged.find((m) => m.engine === 'dockerd')?.samples, [10]);
  });

  it('median of an odd count is the middle value', () => {
    assert.equal(median([3, 1, 2]), 2);
  });

  it('percentile rounds the rank up', () => {
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4], 0.9), 4);
  });
});
