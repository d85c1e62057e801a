import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of, type Digest } from '../base/digest.js';
import { buildManifest, layerCompression, MEDIA, parseManifest, selectPlatform, type ImageIndex } from './manifest.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;

test('buildManifest writes a Docker schema2 manifest whose digest is of its bytes', () => {
  const m = buildManifest('docker', { digest: d('a'), size: 10 }, [{ digest: d('b'), size: 20 }]);
  const doc = JSON.parse(m.json) as { mediaType: string; config: { mediaType: string }; layers: Array<{ mediaType: string; size: number }> };
  assert.equal(doc.mediaType, MEDIA.dockerManifest);
  assert.equal(doc.config.mediaType, MEDIA.dockerConfig);
  assert.deepEqual(doc.layers, [{ mediaType: MEDIA.dockerLayerGzip, size: 20, digest: d('b') }]);
  assert.equal(m.digest, sha256Of(m.json));
  assert.equal(m.size, Buffer.byteLength(m.json));
});

test('buildManifest writes OCI media types when asked', () => {
  const m = buildManifest('oci', { digest: d('a'), size: 1 }, [{ digest: d('b'), size: 2 }]);
  assert.equal(m.mediaType, MEDIA.ociManifest);
  assert.match(m.json, /application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip/);
});

test('parseManifest tells manifests from indexes and refuses schema1', () => {
  const man = parseManifest(buildManifest('docker', { digest: d('a'), size: 1 }, []).json);
  assert.equal(man.kind, 'manifest');
  const idx = parseManifest(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.ociManifest, digest: d('c'), size: 5, platform: { os: 'linux', architecture: 'amd64' } }] }), MEDIA.ociIndex);
  assert.equal(idx.kind, 'index');
  assert.throws(() => parseManifest(JSON.stringify({ schemaVersion: 1, fsLayers: [] })), /schema 1/);
});

test('selectPlatform picks the host platform and skips attestations', () => {
  const index: ImageIndex = {
    kind: 'index',
    mediaType: MEDIA.ociIndex,
    manifests: [
      { mediaType: MEDIA.ociManifest, digest: d('1'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
      { mediaType: MEDIA.ociManifest, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: MEDIA.ociManifest, digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MEDIA.ociManifest, digest: d('4'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, d('4'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64' }).digest, d('3'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, d('2'));
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }), /no matching manifest for linux\/s390x/);
});

test('layerCompression reads the layer media types', () => {
  assert.equal(layerCompression(MEDIA.dockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MEDIA.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MEDIA.ociLayer), 'none');
  assert.equal(layerCompression('text/plain'), undefined);
});
