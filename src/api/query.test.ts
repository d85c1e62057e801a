import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boolValue, parseFilters } from './query.js';

test('boolValue treats moby false words as false and anything else as true', () => {
  for (const f of [null, undefined, '', '0', 'no', 'FALSE', 'none', ' false ']) assert.equal(boolValue(f), false, String(f));
  for (const t of ['1', 'true', 'yes', 'anything']) assert.equal(boolValue(t), true, t);
});

test('parseFilters accepts the map form and the legacy array form', () => {
  assert.deepEqual([...parseFilters('{"status":{"exited":true,"created":false}}')], [['status', ['exited']]]);
  assert.deepEqual([...parseFilters('{"label":["a=b","c"]}')], [['label', ['a=b', 'c']]]);
  assert.equal(parseFilters('').size, 0);
});

test('parseFilters refuses malformed filters with a 400', () => {
  assert.throws(() => parseFilters('{nope'), { kind: 'InvalidParameter' });
  assert.throws(() => parseFilters('[1]'), { kind: 'InvalidParameter' });
});
