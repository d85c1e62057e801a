import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRegistryErrors, kindOfStatus } from './registry-error.js';

test('formatRegistryErrors words distribution errors as docker does', () => {
  assert.equal(formatRegistryErrors(404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'), 'manifest unknown: manifest unknown');
  assert.equal(formatRegistryErrors(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'), 'unauthorized: authentication required');
  assert.equal(formatRegistryErrors(401, ''), 'unauthorized: authentication required');
  assert.equal(formatRegistryErrors(502, 'bad gateway'), 'unexpected status 502: bad gateway');
});

test('kindOfStatus maps registry statuses to error kinds', () => {
  assert.equal(kindOfStatus(401), 'Unauthorized');
  assert.equal(kindOfStatus(404), 'NotFound');
  assert.equal(kindOfStatus(503), 'Unavailable');
});
