import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseAddr, resolveConfig } from './registry-config.js';

test('resolveConfig lets flags win over the file and picks basic auth for an htpasswd file', () => {
  const c = resolveConfig({ root: '/from-file', addr: '0.0.0.0:1', auth: { anonymousPull: true } }, { root: '/r', htpasswd: '/h' });
  assert.equal(c.root, '/r');
  assert.equal(c.addr, '0.0.0.0:1');
  assert.equal(c.auth.mode, 'basic');
  assert.equal(c.auth.anonymousPull, true);
  assert.equal(c.deleteEnabled, true);
  assert.equal(c.maxManifestBytes, 4 * 1024 * 1024);
});

test('resolveConfig refuses missing roots, half TLS and bad access rules', () => {
  assert.throws(() => resolveConfig({}, {}), ConfigError);
  assert.throws(() => resolveConfig({}, { root: '/r', tlsCert: '/c' }), /both a certificate and a key/);
  assert.throws(() => resolveConfig({ auth: { access: [{ repository: 'x', users: { a: ['fly'] } }] } }, { root: '/r' }), /pull, push, delete/);
  assert.throws(() => resolveConfig({ auth: { mode: 'basic' } }, { root: '/r' }), /htpasswd/);
});

test('parseAddr reads host:port forms', () => {
  assert.deepEqual(parseAddr('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseAddr(':0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseAddr('[::1]:80'), { host: '::1', port: 80 });
  assert.throws(() => parseAddr('nope'), ConfigError);
});
