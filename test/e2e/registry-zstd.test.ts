// Pull of zstd-compressed layers (application/vnd.oci.image.layer.v1.tar+zstd): an image whose
// layer the zstd tool compressed is put into skiff's registry, and the docker CLI pulls and runs
// it through skiffd.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { pushBlob, raw, type RegistryProcess, sha, startRegistry } from './registry-server-client.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : findOnPath('zstd') === undefined ? 'the zstd tool is not installed' : false;

describe('pull of zstd-compressed layers', { skip, timeout: 300_000 }, () => {
  let root: string;
  let reg: RegistryProcess;
  let d: Daemon;
  let host: string;
  let diffId: string;

  before(async () => {
    root = mkdtempSync('/tmp/skiff-zstd-');
    reg = await startRegistry(['--root', join(root, 'store')]);
    host = new URL(reg.url).host;
    d = await startDaemon();
    const tar = readFileSync(await busyboxTarball());
    diffId = sha(tar);
    const layer = execFileSync('zstd', ['-c', '-3'], { input: tar, maxBuffer: 256 * 1024 * 1024 });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['echo', 'from zstd'] }, rootfs: { type: 'layers', diff_ids: [diffId] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha(layer), size: layer.length }],
      }),
    );
    for (const b of [layer, config]) assert.equal((await pushBlob(reg.url, 'z/app', b)).status, 201);
    const put = await raw(reg.url, 'PUT', '/v2/z/app/manifests/zstd', { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
    assert.equal(put.status, 201, put.text);
  });
  after(async () => {
    try {
      await d?.stop();
    } finally {
      await reg?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('pulls, verifies and runs an image whose layer is zstd', async () => {
    ok(await d.docker(['pull', `${host}/z/app:zstd`], { timeoutMs: 120_000 }), 'pull');
    const layers = ok(await d.docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', `${host}/z/app:zstd`]), 'inspect');
    assert.deepEqual(JSON.parse(layers), [diffId], 'the unpacked layer is the tar that was compressed');
    assert.equal(ok(await d.docker(['run', '--rm', `${host}/z/app:zstd`]), 'run'), 'from zstd\n');
  });
});
