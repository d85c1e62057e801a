import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HOST, resolveHost } from './host.js';

test('host comes from the flag, then SKIFF_HOST, then DOCKER_HOST, then the default', () => {
  assert.equal(resolveHost('unix:///a.sock', { SKIFF_HOST: 'unix:///b.sock' }).socketPath, '/a.sock');
  assert.equal(resolveHost(undefined, { SKIFF_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///c.sock' }).socketPath, '/b.sock');
  assert.equal(resolveHost(undefined, { DOCKER_HOST: 'unix:///c.sock' }).socketPath, '/c.sock');
  assert.equal(resolveHost(undefined, {}).address, DEFAULT_HOST);
});

test('host refuses tcp addresses clearly', () => {
  assert.throws(() => resolveHost('tcp://127.0.0.1:2375', {}), /only unix:\/\/ sockets are supported/);
});
