import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute, parseTarget } from './parse-route.js';
import { isValidRepoName, isValidTag, looksLikeDigest } from './repo-name.js';

const D = `sha256:${'a'.repeat(64)}`;

test('parseRoute recognises every distribution endpoint with multi-component names', () => {
  assert.deepEqual(parseRoute('/v2/'), { kind: 'base' });
  assert.deepEqual(parseRoute('/v2'), { kind: 'base' });
  assert.deepEqual(parseRoute('/v2/_catalog'), { kind: 'catalog' });
  assert.deepEqual(parseRoute('/v2/a/b/c/tags/list'), { kind: 'tags', name: 'a/b/c' });
  assert.deepEqual(parseRoute('/v2/team/app/manifests/v1.2'), { kind: 'manifest', name: 'team/app', reference: 'v1.2' });
  assert.deepEqual(parseRoute(`/v2/app/blobs/${D}`), { kind: 'blob', name: 'app', digest: D });
  assert.deepEqual(parseRoute('/v2/app/blobs/uploads/'), { kind: 'uploads', name: 'app' });
  assert.deepEqual(parseRoute('/v2/app/blobs/uploads'), { kind: 'uploads', name: 'app' });
  assert.deepEqual(parseRoute('/v2/app/blobs/uploads/1234'), { kind: 'upload', name: 'app', uuid: '1234' });
  assert.deepEqual(parseRoute(`/v2/x/referrers/${D}`), { kind: 'referrers', name: 'x', digest: D });
  assert.deepEqual(parseRoute('/token'), { kind: 'token' });
  assert.deepEqual(parseRoute('/metrics'), { kind: 'metrics' });
});

test('parseRoute takes the endpoint from the end so names may contain endpoint words', () => {
  assert.deepEqual(parseRoute('/v2/blobs/manifests/manifests/latest'), { kind: 'manifest', name: 'blobs/manifests', reference: 'latest' });
  assert.deepEqual(parseRoute(`/v2/a/blobs/blobs/${D}`), { kind: 'blob', name: 'a/blobs', digest: D });
});

test('parseRoute rejects unknown paths and keeps traversal in the name for the grammar to refuse', () => {
  assert.deepEqual(parseRoute('/v1/foo'), { kind: 'unknown' });
  assert.deepEqual(parseRoute('/v2/foo/bar'), { kind: 'unknown' });
  const r = parseRoute('/v2/../../etc/manifests/latest');
  assert.deepEqual(r, { kind: 'manifest', name: '../../etc', reference: 'latest' });
  assert.equal(isValidRepoName('../../etc'), false);
});

test('parseTarget splits the query without normalising the path', () => {
  const t = parseTarget('/v2/a/../b/tags/list?n=2&last=x');
  assert.deepEqual(t.route, { kind: 'tags', name: 'a/../b' });
  assert.equal(t.query.get('n'), '2');
  assert.equal(t.query.get('last'), 'x');
});

test('repository name grammar follows the distribution spec', () => {
  for (const ok of ['a', 'library/busybox', 'a0/b-c/d_e', 'my.repo/x__y', 'a---b']) assert.equal(isValidRepoName(ok), true, ok);
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', '-a', 'a-', 'a/..', '..', '%2e%2e/x', 'a b', 'a_-b', 'x'.repeat(256)]) assert.equal(isValidRepoName(bad), false, bad);
});

test('tag grammar and digest detection', () => {
  assert.equal(isValidTag('latest'), true);
  assert.equal(isValidTag('_v1.0-rc'), true);
  assert.equal(isValidTag('.hidden'), false);
  assert.equal(isValidTag('x'.repeat(129)), false);
  assert.equal(looksLikeDigest(D), true);
  assert.equal(looksLikeDigest('sha512:abc'), true);
  assert.equal(looksLikeDigest('latest'), false);
});
