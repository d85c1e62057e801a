import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueToken, verifyToken } from './jwt-token.js';
import { covers, formatScope, parseScope, parseScopes } from './token-scope.js';

test('parseScope reads repository and registry scopes', () => {
  assert.deepEqual(parseScope('repository:team/app:pull,push'), { type: 'repository', name: 'team/app', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  assert.deepEqual(parseScope('repository(plugin):x:pull'), { type: 'repository', name: 'x', actions: ['pull'] });
  assert.equal(parseScope('repository:x'), undefined);
  assert.equal(parseScope('repository:x:'), undefined);
});

test('parseScopes splits repeated and space-separated scope values', () => {
  const s = parseScopes(['repository:a:pull repository:b:push', 'bogus', 'repository:c:pull,pull']);
  assert.deepEqual(s.map(formatScope), ['repository:a:pull', 'repository:b:push', 'repository:c:pull']);
});

test('covers needs every action, and * grants all', () => {
  const g = [{ type: 'repository', name: 'a', actions: ['pull'] }, { type: 'repository', name: 'b', actions: ['*'] }];
  assert.equal(covers(g, 'repository', 'a', ['pull']), true);
  assert.equal(covers(g, 'repository', 'a', ['pull', 'push']), false);
  assert.equal(covers(g, 'repository', 'b', ['push', 'delete']), true);
  assert.equal(covers(g, 'repository', 'c', ['pull']), false);
});

test('tokens verify with their key and audience until they expire', () => {
  const key = Buffer.from('k'.repeat(32));
  const access = [{ type: 'repository', name: 'a', actions: ['pull'] }];
  const { token } = issueToken({ issuer: 'i', audience: 'svc', subject: 'alice', access, ttlSeconds: 60, nowSeconds: 1000 }, key);
  assert.deepEqual(verifyToken(token, key, 'svc', 1010)?.access, access);
  assert.equal(verifyToken(token, key, 'svc', 1010)?.sub, 'alice');
  assert.equal(verifyToken(token, key, 'svc', 1060), undefined, 'expired');
  assert.equal(verifyToken(token, key, 'other', 1010), undefined, 'wrong audience');
  assert.equal(verifyToken(token, Buffer.from('x'.repeat(32)), 'svc', 1010), undefined, 'wrong key');
});

test('tokens with a tampered body or alg none are refused', () => {
  const key = Buffer.from('k'.repeat(32));
  const { token } = issueToken({ issuer: 'i', audience: 'svc', subject: 'bob', access: [], ttlSeconds: 60, nowSeconds: 1000 }, key);
  const [h, b, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(b, 'base64url').toString()) as Record<string, unknown>;
  claims['access'] = [{ type: 'repository', name: 'x', actions: ['*'] }];
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  assert.equal(verifyToken(forged, key, 'svc', 1010), undefined);
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${b}.`;
  assert.equal(verifyToken(none, key, 'svc', 1010), undefined);
});
