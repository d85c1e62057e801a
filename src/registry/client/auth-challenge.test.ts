import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeScopes, parseAuthChallenges, repositoryScope } from './auth-challenge.js';

test('parseAuthChallenges reads a bearer challenge with quoted params', () => {
  const [c] = parseAuthChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  assert.deepEqual(c, {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
  });
});

test('parseAuthChallenges splits several challenges in one header', () => {
  const all = parseAuthChallenges('Basic realm="basic-realm", Bearer realm="https://x/token", service=reg');
  assert.deepEqual(all.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(all[0]?.params['realm'], 'basic-realm');
  assert.equal(all[1]?.params['service'], 'reg');
});

test('parseAuthChallenges keeps escaped quotes and commas inside values', () => {
  const [c] = parseAuthChallenges('Bearer realm="a\\"b",scope="repository:x:pull,push"');
  assert.equal(c?.params['realm'], 'a"b');
  assert.equal(c?.params['scope'], 'repository:x:pull,push');
});

test('repositoryScope and mergeScopes combine actions per repository', () => {
  assert.equal(repositoryScope('alice/app', ['pull', 'push', 'pull']), 'repository:alice/app:pull,push');
  assert.deepEqual(mergeScopes(['repository:b:pull', 'repository:a:push', 'repository:a:pull']), ['repository:a:pull,push', 'repository:b:pull']);
});
