import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { sha256Of } from '../../base/digest.js';
import { registryData } from './registry-data.js';
import type { RegistryRequest, RegistrySession } from './registry-session.js';

/** A session answering from a path → reply table, recording the paths asked for. */
function fakeSession(replies: Record<string, { status: number; body: string; type?: string }>) {
  const asked: string[] = [];
  const session = {
    fetch: async (req: RegistryRequest) => {
      asked.push(req.path);
      const r = replies[req.path] ?? { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
      return Object.assign(Readable.from([Buffer.from(r.body)]), {
        statusCode: r.status,
        headers: { 'content-type': r.type ?? 'application/json' },
      }) as unknown as IncomingMessage;
    },
  } as unknown as RegistrySession;
  return { session, asked };
}

const config = JSON.stringify({ architecture: 'arm64', os: 'linux', variant: 'v8', rootfs: { type: 'layers', diff_ids: [] } });
const configDigest = sha256Of(config);
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
  layers: [],
});

describe('registryData', () => {
  it('registryData describes a tagged manifest and takes its platform from the config', async () => {
    const { session, asked } = fakeSession({
      '/v2/x/y/manifests/v1': { status: 200, body: manifest },
      [`/v2/x/y/blobs/${configDigest}`]: { status: 200, body: config },
    });
    const out = await registryData(session, { domain: 'r:5000', path: 'x/y', tag: 'v1' });
    assert.deepEqual(out, {
      Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha256Of(manifest), size: manifest.length },
      Platforms: [{ architecture: 'arm64', os: 'linux', variant: 'v8' }],
    });
    assert.deepEqual(asked, ['/v2/x/y/manifests/v1', `/v2/x/y/blobs/${configDigest}`]);
  });

  it('registryData lists every platform of an index', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Of('a'), size: 1, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Of('b'), size: 1, platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1' } },
      ],
    });
    const { session } = fakeSession({ '/v2/library/busybox/manifests/latest': { status: 200, body: index } });
    const out = await registryData(session, { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    assert.equal(out.Descriptor.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(out.Platforms, [
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1' },
    ]);
  });

  it('registryData passes on the registry error of an unknown tag', async () => {
    const { session } = fakeSession({});
    await assert.rejects(registryData(session, { domain: 'r', path: 'x', tag: 'nope' }), (err: Error & { kind?: string }) => {
      assert.equal(err.message, 'manifest unknown: manifest unknown');
      assert.equal(err.kind, 'NotFound');
      return true;
    });
  });

  it('registryData refuses a manifest whose digest is not the one asked for', async () => {
    const wrong = sha256Of('other');
    const { session } = fakeSession({ [`/v2/x/manifests/${wrong}`]: { status: 200, body: manifest } });
    await assert.rejects(registryData(session, { domain: 'r', path: 'x', digest: wrong }), /manifest verification failed/);
  });
});
