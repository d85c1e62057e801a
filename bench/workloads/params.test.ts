import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paramsFor, roundParams, share } from './params.js';

describe('workload params', () => {
  it('paramsFor the full run uses the issue figures and quick shrinks them', () => {
    const full = paramsFor(false);
    assert.deepEqual([full.rootfsMiB, full.commitMiB, full.concurrent, full.memContainers, full.fleet], [250, 100, 50, 50, 200]);
    const quick = paramsFor(true);
    for (const k of Object.keys(full) as Array<keyof typeof full>) assert.ok(quick[k] <= full[k], `${k} is not smaller in quick mode`);
    assert.ok(quick.fleet < full.fleet && quick.rootfsMiB < full.rootfsMiB);
  });

  it('share splits samples over rounds without losing or adding any', () => {
    assert.deepEqual([0, 1, 2].map((r) => share(20, 3, r)), [7, 7, 6]);
    assert.deepEqual([0, 1, 2].map((r) => share(5, 3, r)), [2, 2, 1]);
    assert.deepEqual([0].map((r) => share(3, 1, r)), [3]);
  });

  it('roundParams gives later rounds their share and a single warm-up', () => {
    const full = paramsFor(false);
    const rounds = Array.from({ length: full.rounds }, (_, r) => roundParams(full, r));
    assert.equal(rounds.reduce((a, p) => a + p.latencyRuns, 0), full.latencyRuns);
    assert.equal(rounds.reduce((a, p) => a + p.buildRuns, 0), full.buildRuns);
    assert.equal(rounds[0]?.warmups, full.warmups);
    assert.equal(rounds[1]?.warmups, 1);
    assert.equal(rounds[1]?.fleet, full.fleet, 'counts that are not split stay whole');
  });
});
