import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorEnvelope, RegistryError, statusOfCode } from './registry-error.js';

test('registry errors carry the spec status and distribution message', () => {
  const e = new RegistryError('DENIED');
  assert.equal(e.status, 403);
  assert.equal(e.message, 'requested access to the resource is denied');
  assert.equal(statusOfCode('BLOB_UNKNOWN'), 404);
  assert.equal(statusOfCode('MANIFEST_BLOB_UNKNOWN'), 400);
  assert.equal(statusOfCode('UNAUTHORIZED'), 401);
  assert.equal(statusOfCode('TOOMANYREQUESTS'), 429);
  assert.equal(statusOfCode('UNSUPPORTED'), 405);
});

test('registry error status can be overridden for 416 and 413', () => {
  assert.equal(new RegistryError('BLOB_UPLOAD_INVALID', { status: 416 }).status, 416);
});

test('errorEnvelope writes code, message and detail only when present', () => {
  const body = JSON.parse(errorEnvelope([new RegistryError('BLOB_UNKNOWN', { detail: { digest: 'x' } }), new RegistryError('NAME_INVALID')])) as unknown;
  assert.deepEqual(body, {
    errors: [
      { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: 'x' } },
      { code: 'NAME_INVALID', message: 'invalid repository name' },
    ],
  });
});
