import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentRange, parseRangeHeader, uploadRangeHeader } from './byte-range.js';

test('parseRangeHeader reads closed, open and suffix ranges and clamps to the blob', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=50-500', 100), { start: 50, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-500', 100), { start: 0, end: 99 });
});

test('parseRangeHeader reports unsatisfiable ranges and ignores ones it does not serve', () => {
  assert.equal(parseRangeHeader('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=9-3', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseRangeHeader(undefined, 100), undefined);
  assert.equal(parseRangeHeader('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseRangeHeader('items=0-1', 100), undefined);
});

test('parseContentRange accepts the spec form and the bytes form', () => {
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.equal(parseContentRange(undefined), undefined);
  assert.equal(parseContentRange('5-1'), 'invalid');
  assert.equal(parseContentRange('abc'), 'invalid');
});

test('uploadRangeHeader reports the last byte, and 0-0 when empty', () => {
  assert.equal(uploadRangeHeader(0), '0-0');
  assert.equal(uploadRangeHeader(1), '0-0');
  assert.equal(uploadRangeHeader(100), '0-99');
});
