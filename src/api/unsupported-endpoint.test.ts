import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusOf } from './status-of.js';
import { unsupportedEndpoint } from './unsupported-endpoint.js';

test('unsupported endpoint for BuildKit session and grpc is a 404 that names BuildKit and the legacy builder', () => {
  for (const path of ['/session', '/grpc']) {
    const e = unsupportedEndpoint('POST', path);
    assert.equal(statusOf[e.kind], 404);
    assert.match(e.message, /BuildKit is not supported/);
    assert.ok(e.message.includes(`POST ${path}`), e.message);
    assert.match(e.message, /DOCKER_BUILDKIT=0/);
  }
});

test('unsupported endpoint for an unknown path keeps Docker\'s "page not found" and names the call', () => {
  const e = unsupportedEndpoint('GET', '/containers/abc/frobnicate');
  assert.equal(statusOf[e.kind], 404);
  assert.equal(e.message, 'page not found: GET /containers/abc/frobnicate is not supported by this engine');
});

test('unsupported endpoint never maps to a 500', () => {
  for (const path of ['/', '/x', '/session/extra', '/grpc', '/plugins/p/json', '/swarm/leave']) {
    assert.notEqual(statusOf[unsupportedEndpoint('POST', path).kind], 500, path);
  }
});
