import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { authFromEntry, CredentialStore, type HelperRunner } from './credential-store.js';

const tmp = () => mkdtempSync('/tmp/credstore-');

test('CredentialStore stores auth like docker and keeps other keys', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ psFormat: 'table {{.ID}}' }));
    const s = new CredentialStore(dir);
    await s.store('127.0.0.1:5000', { username: 'alice', password: 'se:cret' });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(cfg, { psFormat: 'table {{.ID}}', auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:se:cret').toString('base64') } } });
    assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
    assert.deepEqual(await s.get('127.0.0.1:5000'), { serveraddress: '127.0.0.1:5000', username: 'alice', password: 'se:cret' });
    assert.equal(await s.erase('127.0.0.1:5000'), true);
    assert.deepEqual(await s.get('127.0.0.1:5000'), {});
    assert.equal(await s.erase('127.0.0.1:5000'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CredentialStore goes through credHelpers before credsStore', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: 'desktop', credHelpers: { 'r.example': 'pass' } }));
    const calls: string[] = [];
    const runner: HelperRunner = async (helper, action, input) => {
      calls.push(`${helper} ${action} ${input}`);
      return action === 'get' ? JSON.stringify({ ServerURL: input, Username: 'bob', Secret: 'pw' }) : '';
    };
    const s = new CredentialStore(dir, runner);
    await s.store('r.example', { username: 'bob', password: 'pw' });
    assert.deepEqual(await s.get('r.example'), { serveraddress: 'r.example', username: 'bob', password: 'pw' });
    await s.get('other');
    assert.deepEqual(calls, ['pass store {"ServerURL":"r.example","Username":"bob","Secret":"pw"}', 'pass get r.example', 'desktop get other']);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, unknown> };
    assert.deepEqual(cfg.auths['r.example'], {}, 'the secret stays out of config.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('authFromEntry decodes identity tokens and missing entries', () => {
  assert.deepEqual(authFromEntry({ auths: { x: { identitytoken: 'tok' } } }, 'x'), { serveraddress: 'x', identitytoken: 'tok' });
  assert.deepEqual(authFromEntry({}, 'x'), {});
});
