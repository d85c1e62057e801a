// docker login / tag / push / pull / run against Debian's docker-registry (htpasswd auth), with
// the real docker CLI and skiffd; a proxy in front of the registry cuts and corrupts downloads.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { PASSWORD, registryMissing, startRegistry, type TestRegistry, USER } from './registry-client-fixtures.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : registryMissing();
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describe('registry client with the docker CLI', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  let reg: TestRegistry;
  let app: string;
  /** The image ID the registry holds for app:v1 (its manifest's config digest). */
  let remoteId: string;
  let bigLayer: string;

  const docker = (args: string[]) => d.docker(args, { timeoutMs: 120_000 });
  const imageId = async (ref: string) => ok(await docker(['image', 'inspect', '--format', '{{.Id}}', ref]), 'inspect').trim();
  const manifestOf = async (repoPath: string, ref: string) => {
    const r = await reg.get(`/v2/${repoPath}/manifests/${ref}`, MANIFEST);
    assert.equal(r.status, 200, `manifest ${ref}: ${r.body.toString()}`);
    return { digest: String(r.headers['docker-content-digest']), doc: JSON.parse(r.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> } };
  };
  const layerDirs = () => readdirSync(join(d.dataRoot, 'layers')).sort();
  const removeApp = async () => {
    const refs = ok(await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', app]), 'images').split('\n').filter((l) => l && !l.endsWith(':<none>'));
    const ids = ok(await docker(['images', '-q', app]), 'images -q').split('\n').filter(Boolean);
    for (const r of refs) ok(await docker(['rmi', r]), `rmi ${r}`);
    for (const id of new Set(ids)) await docker(['rmi', '-f', id]);
    assert.equal(ok(await docker(['images', '-q', app]), 'images'), '');
  };

  before(async () => {
    reg = await startRegistry();
    d = await startDaemon();
    app = `${reg.host}/team/app`;
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
    // A second layer with 3 MiB of random bytes: big enough to cut mid-blob.
    ok(await docker(['run', '--name', 'mk', 'busybox', 'sh', '-c', 'head -c 3145728 /dev/urandom > /big; echo made > /made']), 'run');
    ok(await docker(['commit', 'mk', 'work:v1']), 'commit');
  });
  after(async () => {
    try {
      await d?.stop();
    } finally {
      await reg?.stop();
    }
  });

  it('login with a wrong password fails with Docker\'s message and stores nothing', async () => {
    const bad = await d.docker(['login', '-u', USER, '--password-stdin', reg.host], { input: 'wrong\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`));
    const cfg = JSON.parse(readFileSync(join(d.env.DOCKER_CONFIG, 'config.json'), 'utf8')) as { auths?: Record<string, unknown> };
    assert.equal(cfg.auths?.[reg.host], undefined);
  });

  it('push without login fails with the registry\'s 401 wording', async () => {
    ok(await docker(['tag', 'work:v1', `${app}:v1`]), 'tag');
    const r = await docker(['push', `${app}:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /unauthorized: authentication required/);
  });

  it('login with the right password succeeds and is stored', async () => {
    const out = ok(await d.docker(['login', '-u', USER, '--password-stdin', reg.host], { input: `${PASSWORD}\n` }), 'login');
    assert.match(out, /Login Succeeded/);
    const cfg = JSON.parse(readFileSync(join(d.env.DOCKER_CONFIG, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(cfg.auths[reg.host]?.auth ?? '', 'base64').toString(), `${USER}:${PASSWORD}`);
  });

  it('push uploads each layer once and reports the digest', async () => {
    const out = ok(await docker(['push', `${app}:v1`]), 'push');
    assert.match(out, new RegExp(`The push refers to repository \\[${reg.host}/team/app\\]`));
    assert.equal((out.match(/: Pushed$/gm) ?? []).length, 2, out);
    const m = await manifestOf('team/app', 'v1');
    assert.match(out, new RegExp(`v1: digest: ${m.digest} size: \\d+`));
    assert.equal(m.doc.layers.length, 2);
    remoteId = m.doc.config.digest;
    bigLayer = (m.doc.layers[1] as { digest: string }).digest;
    const cfg = await reg.get(`/v2/team/app/blobs/${remoteId}`);
    assert.equal(cfg.status, 200);
    assert.equal((JSON.parse(cfg.body.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids.length, 2);

    const again = ok(await docker(['push', `${app}:v1`]), 'push again');
    assert.equal((again.match(/: Layer already exists$/gm) ?? []).length, 2, again);
    assert.doesNotMatch(again, /Pushed/);
  });

  it('rmi then pull brings back the image the registry holds', async () => {
    await removeApp();
    const out = ok(await docker(['pull', `${app}:v1`]), 'pull');
    assert.match(out, /Pull complete/);
    assert.match(out, new RegExp(`Status: Downloaded newer image for ${reg.host}/team/app:v1`));
    assert.equal(await imageId(`${app}:v1`), remoteId);
    assert.match(ok(await docker(['run', '--rm', `${app}:v1`, 'cat', '/made']), 'run'), /^made$/m);
    const again = ok(await docker(['pull', `${app}:v1`]), 'pull again');
    assert.match(again, new RegExp(`Status: Image is up to date for ${reg.host}/team/app:v1`));
  });

  it('a pulled image pushes back unchanged under a new tag', async () => {
    ok(await docker(['tag', `${app}:v1`, `${app}:v2`]), 'tag');
    const out = ok(await docker(['push', `${app}:v2`]), 'push v2');
    assert.equal((out.match(/: Layer already exists$/gm) ?? []).length, 2, out);
    const m = await manifestOf('team/app', 'v2');
    assert.equal(m.doc.config.digest, remoteId, 'same config, so the same image ID');
    const digests = ok(await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${app}:v2`]), 'inspect');
    assert.match(digests, new RegExp(m.digest));
  });

  it('pull by digest gives the same image', async () => {
    const { digest } = await manifestOf('team/app', 'v1');
    await removeApp();
    const out = ok(await docker(['pull', `${app}@${digest}`]), 'pull by digest');
    assert.match(out, new RegExp(`Digest: ${digest}`));
    assert.equal(await imageId(`${app}@${digest}`), remoteId);
  });

  it('docker run of an image only in the registry pulls it', async () => {
    await removeApp();
    const r = await docker(['run', '--rm', `${app}:v1`, 'cat', '/made']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'made\n');
    assert.match(r.stderr, new RegExp(`Unable to find image '${reg.host}/team/app:v1' locally`));
    assert.equal(await imageId(`${app}:v1`), remoteId);
  });

  it('an interrupted download resumes where it stopped', async () => {
    await removeApp();
    reg.proxy.blobGets.length = 0;
    reg.proxy.cutAfter = 1024 * 1024;
    try {
      ok(await docker(['pull', `${app}:v1`]), 'pull through a cut');
    } finally {
      reg.proxy.cutAfter = undefined;
    }
    const gets = reg.proxy.blobGets.filter((g) => g.digest === bigLayer);
    assert.equal(gets.length, 2, JSON.stringify(gets));
    assert.equal(gets[0]?.range, undefined);
    const start = Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1]);
    assert.ok(start > 0 && start <= 1024 * 1024, `resumed at ${gets[1]?.range}`);
    assert.equal(await imageId(`${app}:v1`), remoteId);
  });

  it('a corrupt blob fails the pull with a digest error and leaves no partial image', async () => {
    await removeApp();
    const before = layerDirs();
    reg.proxy.corruptAt = 500_000;
    let r;
    try {
      r = await docker(['pull', `${app}:v1`]);
    } finally {
      reg.proxy.corruptAt = undefined;
    }
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /filesystem layer verification failed for digest sha256:[0-9a-f]{64}/);
    assert.equal(ok(await docker(['images', '-q', app]), 'images'), '');
    assert.deepEqual(layerDirs(), before);
  });
});
