import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, parseManifest } from './manifest-parse.js';
import { RegistryError } from './registry-error.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (mediaType: string, c: string, extra: object = {}) => ({ mediaType, digest: d(c), size: 10, ...extra });
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));

function invalid(body: Buffer, ct?: string): string {
  try {
    parseManifest(body, ct);
  } catch (e) {
    assert.ok(e instanceof RegistryError);
    assert.equal(e.code, 'MANIFEST_INVALID');
    return String(e.detail);
  }
  assert.fail('expected MANIFEST_INVALID');
}

test('parseManifest lists config and layers of an image manifest, skipping foreign layers', () => {
  const m = parseManifest(
    buf({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: desc('application/vnd.docker.container.image.v1+json', 'c'),
      layers: [desc('l', 'a'), desc('l', 'b'), desc('foreign', 'f', { urls: ['https://x'] })],
    }),
    DOCKER_MANIFEST,
  );
  assert.equal(m.kind, 'image');
  assert.deepEqual(m.blobs, [d('c'), d('a'), d('b')]);
  assert.equal(m.artifactType, 'application/vnd.docker.container.image.v1+json');
});

test('parseManifest reads indexes, subjects and artifact types', () => {
  const idx = parseManifest(buf({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [desc(OCI_MANIFEST, '1'), desc(OCI_MANIFEST, '2')] }), undefined);
  assert.deepEqual(idx.manifests, [d('1'), d('2')]);
  assert.equal(idx.mediaType, OCI_INDEX);
  const list = parseManifest(buf({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [] }), DOCKER_LIST);
  assert.equal(list.kind, 'index');
  const art = parseManifest(
    buf({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/sig', config: desc('application/vnd.oci.empty.v1+json', 'e'), layers: [], subject: desc(OCI_MANIFEST, '9'), annotations: { a: 'b' } }),
    OCI_MANIFEST,
  );
  assert.equal(art.subject, d('9'));
  assert.equal(art.artifactType, 'application/sig');
  assert.deepEqual(art.annotations, { a: 'b' });
});

test('parseManifest refuses malformed and inconsistent manifests', () => {
  assert.match(invalid(Buffer.from('{nope')), /malformed JSON/);
  assert.match(invalid(buf([1])), /not a JSON object/);
  assert.match(invalid(buf({ schemaVersion: 1 })), /schemaVersion/);
  assert.match(invalid(buf({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }), OCI_MANIFEST), /does not match/);
  assert.match(invalid(buf({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('c', 'c'), layers: [{ mediaType: 'l', digest: 'sha256:xyz', size: 1 }] })), /layers\[0\].*digest/);
  assert.match(invalid(buf({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('c', 'c'), layers: [{ mediaType: 'l', digest: d('a'), size: -1 }] })), /size/);
  assert.match(invalid(buf({ schemaVersion: 2, mediaType: 'application/x-unknown' })), /unsupported manifest media type/);
});
