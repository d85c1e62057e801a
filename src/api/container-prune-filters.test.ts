import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerPruneFilter } from './container-prune-filters.js';
import { parseFilters } from './query.js';
import type { ContainerRecord } from '../container/container-record.js';

const now = Date.parse('2026-01-02T00:00:00Z');
const rec = (created: string, labels: Record<string, string>) => ({ created, spec: { labels } as ContainerRecord['spec'] });
const filter = (f: Record<string, string[]>) => containerPruneFilter(parseFilters(JSON.stringify(f)), now);

describe('containerPruneFilter', () => {
  it('containerPruneFilter without filters prunes every candidate', () => {
    assert.equal(filter({})(rec('2020-01-01T00:00:00Z', {})), true);
  });

  it('containerPruneFilter label needs every given label to hold', () => {
    const keep = filter({ label: ['a=b', 'c'] });
    assert.equal(keep(rec('2025-01-01T00:00:00Z', { a: 'b', c: '' })), true);
    assert.equal(keep(rec('2025-01-01T00:00:00Z', { a: 'x', c: '' })), false);
    assert.equal(keep(rec('2025-01-01T00:00:00Z', { a: 'b' })), false);
  });

  it('containerPruneFilter label! spares containers that carry the label', () => {
    const keep = filter({ 'label!': ['keep'] });
    assert.equal(keep(rec('2025-01-01T00:00:00Z', { keep: '1' })), false);
    assert.equal(keep(rec('2025-01-01T00:00:00Z', { other: '1' })), true);
    assert.equal(keep(rec('2025-01-01T00:00:00Z', {})), true);
  });

  it('containerPruneFilter until as a Go duration keeps recent containers', () => {
    const keep = filter({ until: ['1h'] });
    assert.equal(keep(rec('2026-01-01T22:00:00Z', {})), true);
    assert.equal(keep(rec('2026-01-01T23:30:00Z', {})), false);
  });

  it('containerPruneFilter until as unix seconds compares creation times', () => {
    const keep = filter({ until: [String(Date.parse('2025-06-01T00:00:00Z') / 1000)] });
    assert.equal(keep(rec('2025-05-01T00:00:00Z', {})), true);
    assert.equal(keep(rec('2025-07-01T00:00:00Z', {})), false);
  });

  it('containerPruneFilter refuses unknown keys and bad until values with moby wording', () => {
    assert.throws(() => filter({ status: ['exited'] }), /invalid filter 'status'/);
    assert.throws(() => filter({ until: ['soon'] }), /failed to parse value as time or duration: "soon"/);
    assert.throws(() => filter({ until: ['1h', '2h'] }), /more than one until filter specified/);
  });
});
