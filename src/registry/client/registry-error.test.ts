import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRegistryErrors, kindOfStatus, oauthChallengeError } from './registry-error.js';

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

test('oauthChallengeError reads the bearer challenge error as Docker does: insufficient_scope is denied', () => {
  const scope = 'Bearer realm="http://r/token",service="reg",scope="repository:team/x:pull,push",error="insufficient_scope"';
  assert.equal(oauthChallengeError(401, scope), 'denied: requested access to the resource is denied');
  assert.equal(oauthChallengeError(401, 'Bearer realm="http://r/token",error="invalid_token"'), 'unauthorized: authentication required');
  assert.equal(oauthChallengeError(401, 'Bearer realm="http://r/token",service="reg"'), undefined);
  assert.equal(oauthChallengeError(401, 'Basic realm="x"'), undefined);
  assert.equal(oauthChallengeError(500, scope), undefined);
});
