import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageParams, paginate } from './paginate.js';

const all = ['a', 'b', 'c', 'd', 'e'];

test('paginate returns everything without n and no Link', () => {
  assert.deepEqual(paginate(all, undefined, undefined, '/v2/x/tags/list'), { items: all });
});

test('paginate cuts at n, continues after last and links the next page', () => {
  const p1 = paginate(all, 2, undefined, '/v2/x/tags/list');
  assert.deepEqual(p1, { items: ['a', 'b'], link: '</v2/x/tags/list?n=2&last=b>; rel="next"' });
  const p3 = paginate(all, 2, 'd', '/v2/x/tags/list');
  assert.deepEqual(p3, { items: ['e'] });
  assert.deepEqual(paginate(all, 5, undefined, '/p'), { items: all });
  assert.deepEqual(paginate(all, 0, undefined, '/p'), { items: [] });
  assert.deepEqual(paginate(all, 10, 'bb', '/p'), { items: ['c', 'd', 'e'] });
});

test('pageParams refuses a non-numeric n', () => {
  assert.equal(pageParams(new URLSearchParams('n=abc')), 'invalid');
  assert.equal(pageParams(new URLSearchParams('n=-1')), 'invalid');
  assert.deepEqual(pageParams(new URLSearchParams('n=3&last=x')), { n: 3, last: 'x' });
  assert.deepEqual(pageParams(new URLSearchParams('')), { n: undefined, last: undefined });
});
