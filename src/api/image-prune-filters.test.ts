import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDurationMs, imagePruneFilters, untilInstant } from './image-prune-filters.js';
import { parseFilters } from './query.js';

const NOW = Date.parse('2025-01-02T00:00:00Z');

test('goDurationMs reads Go durations and rejects other text', () => {
  assert.equal(goDurationMs('90s'), 90_000);
  assert.equal(goDurationMs('1h30m'), 5_400_000);
  assert.equal(goDurationMs('0.5h'), 1_800_000);
  assert.equal(goDurationMs('10'), undefined);
  assert.equal(goDurationMs('1d'), undefined);
});

test('untilInstant reads durations back from now, unix seconds and RFC 3339', () => {
  assert.equal(untilInstant('24h', NOW), NOW - 86_400_000);
  assert.equal(untilInstant('1735689600', NOW), 1735689600_000);
  assert.equal(untilInstant('1735689600.5', NOW), 1735689600_500);
  assert.equal(untilInstant('2025-01-01T00:00:00Z', NOW), 1735689600_000);
  assert.throws(() => untilInstant('yesterday', NOW), /failed to parse value as time or duration/);
});

test('imagePruneFilters defaults to dangling only and refuses unknown keys', () => {
  assert.deepEqual(imagePruneFilters(parseFilters(''), NOW), { danglingOnly: true, labels: [], notLabels: [] });
  assert.deepEqual(imagePruneFilters(parseFilters('{"dangling":["false"],"label":["a=b"],"label!":["c"],"until":["1h"]}'), NOW), {
    danglingOnly: false,
    labels: ['a=b'],
    notLabels: ['c'],
    until: NOW - 3_600_000,
  });
  // docker-py sends the map form: {"dangling": {"true": true}}
  assert.equal(imagePruneFilters(parseFilters('{"dangling":{"true":true}}'), NOW).danglingOnly, true);
  assert.throws(() => imagePruneFilters(parseFilters('{"reference":["x"]}'), NOW), /invalid filter 'reference'/);
  assert.throws(() => imagePruneFilters(parseFilters('{"dangling":["maybe"]}'), NOW), /invalid filter 'dangling=maybe'/);
});
