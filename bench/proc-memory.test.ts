import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commOf, processesWith, pssMiB, rssMiB } from './proc-memory.js';

describe('proc-memory', () => {
  it('processesWith finds this test process by its own script path', () => {
    const script = process.argv[1] ?? '';
    assert.ok(processesWith(script).includes(process.pid));
    assert.deepEqual(processesWith(script, 'no-such-argument-xyz-123'), []);
  });

  it('rssMiB and pssMiB read a plausible size for a node process', () => {
    const rss = rssMiB(process.pid);
    assert.ok(rss > 10 && rss < 4096, `rss ${rss}`);
    const pss = pssMiB(process.pid);
    assert.ok(pss > 1 && pss <= rss + 1, `pss ${pss}`);
  });

  it('memory of a process that does not exist is NaN and its comm undefined', () => {
    assert.ok(Number.isNaN(rssMiB(2 ** 22 + 7)));
    assert.equal(commOf(2 ** 22 + 7), undefined);
    assert.equal(commOf(process.pid), 'node');
  });
});
