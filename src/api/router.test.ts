import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router } from './router.js';

test('router matches image names with slashes and colons, most specific first', () => {
  const r = new Router();
  const seen: string[] = [];
  r.add([
    { method: 'GET', path: '/images/{name*}/json', handler: () => void seen.push('json') },
    { method: 'DELETE', path: '/images/{name*}', handler: () => void seen.push('delete') },
    { method: 'GET', path: '/containers/{id}/json', handler: () => void seen.push('container') },
  ]);
  assert.deepEqual(r.match('GET', '/images/localhost:5000/a/b:v1/json')?.params, { name: 'localhost:5000/a/b:v1' });
  assert.deepEqual(r.match('DELETE', '/images/busybox')?.params, { name: 'busybox' });
  assert.equal(r.match('GET', '/containers/a/b/json'), undefined);
  assert.equal(r.match('POST', '/images/x/json'), undefined);
});

test('router serves HEAD from a GET route', () => {
  const r = new Router();
  r.add([{ method: 'GET', path: '/_ping', handler: () => {} }]);
  assert.ok(r.match('HEAD', '/_ping'));
});
