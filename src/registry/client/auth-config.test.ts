import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRegistryAuthHeader, encodeRegistryAuthHeader } from './auth-config.js';

test('decodeRegistryAuthHeader reads the docker CLI header', () => {
  const h = 'eyJ1c2VybmFtZSI6ImFsaWNlIiwicGFzc3dvcmQiOiJzZWNyZXQiLCJzZXJ2ZXJhZGRyZXNzIjoibG9jYWxob3N0OjUwMDAifQ==';
  assert.deepEqual(decodeRegistryAuthHeader(h), { username: 'alice', password: 'secret', serveraddress: 'localhost:5000' });
});

test('decodeRegistryAuthHeader treats e30= and garbage as anonymous', () => {
  assert.deepEqual(decodeRegistryAuthHeader('e30='), {});
  assert.deepEqual(decodeRegistryAuthHeader('%%%not base64'), {});
  assert.deepEqual(decodeRegistryAuthHeader(undefined), {});
});

test('decodeRegistryAuthHeader accepts the standard alphabet, no padding, and auth-only configs', () => {
  const json = JSON.stringify({ auth: Buffer.from('bob:p?>/ss').toString('base64'), serveraddress: 'r.example' });
  const std = Buffer.from(json).toString('base64').replace(/=+$/, '');
  assert.deepEqual(decodeRegistryAuthHeader(std), { auth: Buffer.from('bob:p?>/ss').toString('base64'), serveraddress: 'r.example', username: 'bob', password: 'p?>/ss' });
});

test('encodeRegistryAuthHeader uses the URL-safe alphabet with padding', () => {
  const h = encodeRegistryAuthHeader({ username: 'a', password: '???>>>' });
  assert.match(h, /^[A-Za-z0-9_-]+=*$/);
  assert.deepEqual(decodeRegistryAuthHeader(h), { username: 'a', password: '???>>>' });
});
