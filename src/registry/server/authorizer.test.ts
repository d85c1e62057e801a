import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessPolicy } from './access-policy.js';
import { Authorizer, type AuthMode } from './authorizer.js';
import { HtpasswdAuthenticator, parseBasicAuth, parseHtpasswd } from './htpasswd.js';
import { RegistryError } from './registry-error.js';

// A test double for bcrypt: the "hash" embeds the password after a fixed bcrypt-shaped prefix.
const fakeHash = (pw: string) => `$2y$05$${pw.padEnd(53, '.')}`;
const fakeVerify = async (pw: string, hash: string) => hash === fakeHash(pw);
const file = parseHtpasswd(`alice:${fakeHash('wonder')}\nbob:${fakeHash('builder')}\n# comment\nmallory:{SHA}plain\n`);
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const policy = new AccessPolicy({
  anonymousPull: true,
  rules: [{ repository: 'team/*', users: { alice: ['*'], '*': ['pull'] } }, { repository: 'bob/*', users: { bob: ['pull', 'push'] } }],
});

function auth(mode: AuthMode, nowMs = 1_000_000): Authorizer {
  return new Authorizer({ mode, service: 'svc', issuer: 'iss', tokenTtlSeconds: 60, tokenKey: Buffer.alloc(32, 7) }, policy, new HtpasswdAuthenticator(file, fakeVerify, 60_000, () => nowMs), () => nowMs);
}

async function rejects(p: Promise<unknown>, code: string, status: number): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('htpasswd parsing keeps bcrypt entries and explains skipped ones', () => {
  assert.deepEqual([...file.users.keys()], ['alice', 'bob']);
  assert.equal(file.skipped.length, 1);
  assert.match(file.skipped[0] ?? '', /mallory: only bcrypt/);
  assert.deepEqual(parseBasicAuth(basic('a', 'b:c')), { user: 'a', password: 'b:c' });
});

test('basic mode: wrong password is 401 with a Basic challenge', async () => {
  const e = await rejects(auth('basic').authorize(basic('alice', 'nope'), { type: 'repository', name: 'team/x', actions: ['pull'] }, 'r'), 'UNAUTHORIZED', 401);
  assert.equal(e.headers['WWW-Authenticate'], 'Basic realm="svc"');
});

test('basic mode: a pull-only user pushing is 403 DENIED, anonymous push is 401', async () => {
  const a = auth('basic');
  const push = { type: 'repository', name: 'team/x', actions: ['pull', 'push'] } as const;
  await rejects(a.authorize(basic('bob', 'builder'), { ...push, actions: ['pull', 'push'] }, 'r'), 'DENIED', 403);
  await rejects(a.authorize(undefined, { ...push, actions: ['pull', 'push'] }, 'r'), 'UNAUTHORIZED', 401);
  const ok = await a.authorize(basic('alice', 'wonder'), { ...push, actions: ['pull', 'push'] }, 'r');
  assert.equal(ok.user, 'alice');
  const anon = await a.authorize(undefined, { type: 'repository', name: 'team/x', actions: ['pull'] }, 'r');
  assert.equal(anon.user, undefined);
  await rejects(a.authorize(undefined, undefined, 'r'), 'UNAUTHORIZED', 401);
});

test('token mode: challenge names realm, service and scope; issued token grants only what policy allows', async () => {
  const a = auth('token');
  const need = { type: 'repository', name: 'team/x', actions: ['pull', 'push'] } as const;
  const e = await rejects(a.authorize(undefined, { ...need, actions: ['pull', 'push'] }, 'http://h/token'), 'UNAUTHORIZED', 401);
  assert.equal(e.headers['WWW-Authenticate'], 'Bearer realm="http://h/token",service="svc",scope="repository:team/x:pull,push"');
  const bobTok = await a.issue(basic('bob', 'builder'), [{ type: 'repository', name: 'team/x', actions: ['pull', 'push'] }]);
  // bob may only pull team/*: his token lacks push and a fresh one would not help → DENIED.
  await rejects(a.authorize(`Bearer ${bobTok.token}`, { ...need, actions: ['pull', 'push'] }, 'r'), 'DENIED', 403);
  const caller = await a.authorize(`Bearer ${bobTok.token}`, { ...need, actions: ['pull'] }, 'r');
  assert.equal(caller.user, 'bob');
  const aliceTok = await a.issue(basic('alice', 'wonder'), [{ type: 'repository', name: 'team/x', actions: ['pull', 'push'] }]);
  assert.equal((await a.authorize(`Bearer ${aliceTok.token}`, { ...need, actions: ['pull', 'push'] }, 'r')).user, 'alice');
  // A token for team/x says nothing about team/y: ask for a new one.
  const e2 = await rejects(a.authorize(`Bearer ${aliceTok.token}`, { type: 'repository', name: 'team/y', actions: ['pull'] }, 'r'), 'UNAUTHORIZED', 401);
  assert.match(e2.headers['WWW-Authenticate'] ?? '', /error="insufficient_scope"/);
  await rejects(a.issue(basic('alice', 'bad'), []), 'UNAUTHORIZED', 401);
});

test('token mode: expired tokens are refused', async () => {
  const tok = await auth('token', 1_000_000).issue(basic('alice', 'wonder'), [{ type: 'repository', name: 'team/x', actions: ['pull'] }]);
  await rejects(auth('token', 1_000_000 + 61_000).authorize(`Bearer ${tok.token}`, { type: 'repository', name: 'team/x', actions: ['pull'] }, 'r'), 'UNAUTHORIZED', 401);
});

test('access policy: first matching rule decides, * is any authenticated user', () => {
  assert.deepEqual([...policy.actionsFor('alice', 'team/a/b')].sort(), ['delete', 'pull', 'push']);
  assert.deepEqual([...policy.actionsFor('carol', 'team/a')], ['pull']);
  assert.deepEqual([...policy.actionsFor('carol', 'bob/x')], ['pull']);
  assert.deepEqual([...policy.actionsFor('bob', 'bob/x')].sort(), ['pull', 'push']);
  assert.deepEqual([...new AccessPolicy({}).actionsFor(undefined, 'x')], []);
  assert.deepEqual([...new AccessPolicy({}).actionsFor('anyone', 'x')].sort(), ['delete', 'pull', 'push']);
});
