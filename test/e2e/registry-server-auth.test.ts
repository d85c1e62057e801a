// Auth and transport of `skiff registry serve`: htpasswd (bcrypt) basic auth, the bearer-token
// flow with repository scopes, per-repository rights, anonymous pull, and TLS.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findOnPath } from './fixtures.js';
import { errorCode, makeImage, pullAndVerify, pushImage, raw, type RegistryProcess, sha, startRegistry } from './registry-server-client.js';
import { runCommand } from './run-command.js';

const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const htpasswdTool = findOnPath('htpasswd');

async function setup(root: string, mode: 'basic' | 'token'): Promise<{ config: string; htpasswd: string }> {
  const htpasswd = join(root, 'htpasswd');
  const lines: string[] = [];
  for (const [u, p] of [['alice', 'alice-pw'], ['bob', 'bob-pw']]) {
    const r = await runCommand(htpasswdTool ?? 'htpasswd', ['-nbB', u ?? '', p ?? '']);
    assert.equal(r.code, 0, r.stderr);
    lines.push(r.stdout.trim());
  }
  writeFileSync(htpasswd, lines.join('\n') + '\n');
  const config = join(root, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      auth: { mode, htpasswd, anonymousPull: false, access: [{ repository: 'team/*', users: { alice: ['pull', 'push', 'delete'], bob: ['pull'] } }] },
    }),
  );
  return { config, htpasswd };
}

describe('registry basic auth', { skip: htpasswdTool === undefined ? 'htpasswd (apache2-utils) not installed' : false }, () => {
  let root: string;
  let reg: RegistryProcess;
  before(async () => {
    root = mkdtempSync('/tmp/skiff-registry-auth-');
    const { config } = await setup(root, 'basic');
    reg = await startRegistry(['--root', root, '--config', config]);
  });
  after(async () => {
    assert.equal(await reg.stop(), 0);
    rmSync(root, { recursive: true, force: true });
  });

  test('anonymous and wrong-password requests get 401 with a Basic challenge', async () => {
    const anon = await raw(reg.url, 'GET', '/v2/');
    assert.equal(anon.status, 401);
    assert.equal(anon.headers['www-authenticate'], 'Basic realm="skiff-registry"');
    assert.equal(errorCode(anon), 'UNAUTHORIZED');
    const wrong = await raw(reg.url, 'GET', '/v2/', { headers: basic('alice', 'nope') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Basic realm="skiff-registry"');
    assert.equal((await raw(reg.url, 'GET', '/v2/', { headers: basic('alice', 'alice-pw') })).status, 200);
  });

  test('alice pushes, bob (pull-only) pulls but is denied a push with 403 DENIED', async () => {
    const img = makeImage([500, 800], 'auth');
    const ok = await pushImage(reg.url, 'team/app', 'v1', img, basic('alice', 'alice-pw'));
    assert.equal(ok.status, 201, ok.text);
    assert.equal(await pullAndVerify(reg.url, 'team/app', 'v1', basic('bob', 'bob-pw')), img.digest);
    const denied = await pushImage(reg.url, 'team/app', 'v2', makeImage([10], 'bob'), basic('bob', 'bob-pw'));
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json<{ errors: Array<{ code: string; message: string }> }>().errors[0]?.message, 'requested access to the resource is denied');
    assert.equal(errorCode(denied), 'DENIED');
    // No rule covers other/*: even alice is denied there.
    assert.equal(errorCode(await raw(reg.url, 'GET', '/v2/other/x/tags/list', { headers: basic('alice', 'alice-pw') })), 'DENIED');
    const anonPull = await raw(reg.url, 'GET', '/v2/team/app/manifests/v1');
    assert.equal(anonPull.status, 401);
  });
});

describe('registry token auth', { skip: htpasswdTool === undefined ? 'htpasswd (apache2-utils) not installed' : false }, () => {
  let root: string;
  let reg: RegistryProcess;
  before(async () => {
    root = mkdtempSync('/tmp/skiff-registry-token-');
    const { config } = await setup(root, 'token');
    reg = await startRegistry(['--root', root, '--config', config]);
  });
  after(async () => {
    assert.equal(await reg.stop(), 0);
    rmSync(root, { recursive: true, force: true });
  });

  async function token(user: string | undefined, scope: string): Promise<string> {
    const r = await raw(reg.url, 'GET', `/token?service=skiff-registry&scope=${encodeURIComponent(scope)}`, { headers: user === undefined ? {} : basic(user, `${user}-pw`) });
    assert.equal(r.status, 200, r.text);
    const body = r.json<{ token: string; access_token: string; expires_in: number; issued_at: string }>();
    assert.equal(body.access_token, body.token);
    assert.equal(body.expires_in, 300);
    return body.token;
  }

  test('the challenge names the token endpoint, service and scope, as Docker Hub does', async () => {
    const r = await raw(reg.url, 'GET', '/v2/team/app/tags/list');
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], `Bearer realm="${reg.url}/token",service="skiff-registry",scope="repository:team/app:pull"`);
    const base = await raw(reg.url, 'GET', '/v2/');
    assert.equal(base.headers['www-authenticate'], `Bearer realm="${reg.url}/token",service="skiff-registry"`);
    const bad = await raw(reg.url, 'GET', '/token?service=skiff-registry', { headers: basic('alice', 'wrong') });
    assert.equal(bad.status, 401);
  });

  test('a scoped token lets alice push and pull; bob gets a pull-only token and is denied a push', async () => {
    const img = makeImage([300, 400], 'token');
    const aliceTok = await token('alice', 'repository:team/tok:pull,push');
    const push = await pushImage(reg.url, 'team/tok', 'v1', img, { Authorization: `Bearer ${aliceTok}` });
    assert.equal(push.status, 201, push.text);
    const bobTok = await token('bob', 'repository:team/tok:pull,push');
    const claims = JSON.parse(Buffer.from(bobTok.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; access: unknown };
    assert.equal(claims.sub, 'bob');
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'team/tok', actions: ['pull'] }]);
    assert.equal(await pullAndVerify(reg.url, 'team/tok', 'v1', { Authorization: `Bearer ${bobTok}` }), img.digest);
    const denied = await pushImage(reg.url, 'team/tok', 'v2', makeImage([5], 'b'), { Authorization: `Bearer ${bobTok}` });
    assert.equal(denied.status, 403);
    assert.equal(errorCode(denied), 'DENIED');
    // A token for one repository does not open another: 401 insufficient_scope, new challenge.
    const other = await raw(reg.url, 'GET', '/v2/team/else/tags/list', { headers: { Authorization: `Bearer ${aliceTok}` } });
    assert.equal(other.status, 401);
    assert.match(String(other.headers['www-authenticate']), /scope="repository:team\/else:pull",error="insufficient_scope"/);
    const forged = aliceTok.slice(0, -4) + 'AAAA';
    assert.equal((await raw(reg.url, 'GET', '/v2/team/tok/tags/list', { headers: { Authorization: `Bearer ${forged}` } })).status, 401);
    const anonTok = await token(undefined, 'repository:team/tok:pull');
    assert.equal((await raw(reg.url, 'GET', '/v2/team/tok/tags/list', { headers: { Authorization: `Bearer ${anonTok}` } })).status, 401);
  });
});

describe('registry over TLS', { skip: findOnPath('openssl') === undefined ? 'openssl not installed' : false }, () => {
  test('serves HTTPS with a certificate and key given on the command line', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-tls-');
    const cert = join(root, 'cert.pem');
    const key = join(root, 'key.pem');
    const r = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    const reg = await startRegistry(['--root', root, '--tls-cert', cert, '--tls-key', key]);
    try {
      assert.match(reg.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(cert);
      const base = await raw(reg.url, 'GET', '/v2/', { ca });
      assert.equal(base.status, 200);
      assert.equal(base.headers['docker-distribution-api-version'], 'registry/2.0');
      const img = makeImage([2000], 'tls');
      for (const b of [...img.layers, img.config]) {
        const up = await raw(reg.url, 'POST', `/v2/tls/app/blobs/uploads/?digest=${sha(b)}`, { ca, headers: { 'Content-Length': b.length }, body: b });
        assert.equal(up.status, 201);
      }
      const put = await raw(reg.url, 'PUT', '/v2/tls/app/manifests/v1', { ca, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, body: img.manifest });
      assert.equal(put.status, 201);
      const got = await raw(reg.url, 'GET', '/v2/tls/app/manifests/v1', { ca });
      assert.equal(sha(got.body), img.digest);
      // Without the CA the self-signed certificate is refused: it really is TLS.
      await assert.rejects(raw(reg.url, 'GET', '/v2/'), /self[- ]signed|certificate/i);
    } finally {
      assert.equal(await reg.stop(), 0);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
