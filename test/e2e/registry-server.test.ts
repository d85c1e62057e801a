// `skiff registry serve` driven over raw HTTP by the distribution spec's flows: pull, push
// (monolithic, chunked, mount, resume), content discovery, content management, and the spec's
// error codes, each asserting status, headers and body.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { errorCode, makeImage, pullAndVerify, pushBlob, pushImage, raw, type RegistryProcess, sha, startRegistry } from './registry-server-client.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function countBlobs(root: string): number {
  const dir = join(root, 'blobs', 'sha256');
  return readdirSync(dir).reduce((n, shard) => n + readdirSync(join(dir, shard)).length, 0);
}

describe('registry server protocol', () => {
  let root: string;
  let reg: RegistryProcess;
  let url: string;
  before(async () => {
    root = mkdtempSync('/tmp/skiff-registry-e2e-');
    reg = await startRegistry(['--root', root, '--config', await writeConfig(root)]);
    url = reg.url;
  });
  after(async () => {
    assert.equal(await reg.stop(), 0, reg.stderr());
    rmSync(root, { recursive: true, force: true });
  });

  test('base check answers 200 with the distribution API version header', async () => {
    const r = await raw(url, 'GET', '/v2/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.deepEqual(r.json(), {});
  });

  test('a multi-layer image pushed monolithic, chunked and by mount pulls back byte for byte', async () => {
    const img = makeImage([1000, 300_000, 70_000], 'multi');
    const [l0, l1, l2] = img.layers as [Buffer, Buffer, Buffer];
    // Layer 0: monolithic POST ?digest=.
    const m = await pushBlob(url, 'proto/app', l0);
    assert.equal(m.status, 201);
    assert.equal(m.headers['location'], `/v2/proto/app/blobs/${sha(l0)}`);
    assert.equal(m.headers['docker-content-digest'], sha(l0));
    // Layer 1: POST, then PUT with the whole body.
    const start = await raw(url, 'POST', '/v2/proto/app/blobs/uploads/');
    assert.equal(start.status, 202);
    assert.equal(start.headers['range'], '0-0');
    const loc = String(start.headers['location']);
    assert.match(loc, /^\/v2\/proto\/app\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.equal(start.headers['docker-upload-uuid'], loc.split('/').pop());
    const put = await raw(url, 'PUT', `${loc}?digest=${sha(l1)}`, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': l1.length }, body: l1 });
    assert.equal(put.status, 201);
    assert.equal(put.headers['docker-content-digest'], sha(l1));
    // Layer 2: three PATCH chunks with Content-Range, a status check, then an empty PUT.
    const s2 = await raw(url, 'POST', '/v2/proto/app/blobs/uploads/');
    const loc2 = String(s2.headers['location']);
    const cuts = [0, 20_000, 50_000, l2.length];
    for (let i = 0; i < 3; i++) {
      const chunk = l2.subarray(cuts[i], cuts[i + 1]);
      const p = await raw(url, 'PATCH', loc2, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': chunk.length, 'Content-Range': `${cuts[i]}-${(cuts[i + 1] ?? 0) - 1}` },
        body: chunk,
      });
      assert.equal(p.status, 202, p.text);
      assert.equal(p.headers['range'], `0-${(cuts[i + 1] ?? 0) - 1}`);
      assert.equal(p.headers['location'], loc2);
    }
    const st = await raw(url, 'GET', loc2);
    assert.equal(st.status, 204);
    assert.equal(st.headers['range'], `0-${l2.length - 1}`);
    assert.equal(st.headers['docker-upload-uuid'], loc2.split('/').pop());
    assert.equal((await raw(url, 'PUT', `${loc2}?digest=${sha(l2)}`, { headers: { 'Content-Length': 0 } })).status, 201);
    assert.equal((await pushBlob(url, 'proto/app', img.config)).status, 201);
    // Manifest by tag.
    const mp = await raw(url, 'PUT', '/v2/proto/app/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest });
    assert.equal(mp.status, 201, mp.text);
    assert.equal(mp.headers['docker-content-digest'], img.digest);
    assert.equal(mp.headers['location'], `/v2/proto/app/manifests/${img.digest}`);
    assert.equal(await pullAndVerify(url, 'proto/app', 'v1'), img.digest);
    assert.equal(await pullAndVerify(url, 'proto/app', img.digest), img.digest);
    const head = await raw(url, 'HEAD', '/v2/proto/app/manifests/v1');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], OCI_MANIFEST);
    assert.equal(head.headers['content-length'], String(img.manifest.length));
    assert.equal(head.body.length, 0);
    // Cross-repository mount of every blob, then the same manifest in the other repository.
    for (const b of [...img.layers, img.config]) {
      const mount = await raw(url, 'POST', `/v2/proto/copy/blobs/uploads/?mount=${sha(b)}&from=proto/app`);
      assert.equal(mount.status, 201);
      assert.equal(mount.headers['location'], `/v2/proto/copy/blobs/${sha(b)}`);
    }
    assert.equal((await raw(url, 'PUT', '/v2/proto/copy/manifests/latest', { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest })).status, 201);
    assert.equal(await pullAndVerify(url, 'proto/copy', 'latest'), img.digest);
    // A mount from a repository without the blob falls back to a fresh upload session.
    const noMount = await raw(url, 'POST', `/v2/proto/other/blobs/uploads/?mount=${sha(l0)}&from=proto/nothing`);
    assert.equal(noMount.status, 202);
    assert.match(String(noMount.headers['location']), /\/v2\/proto\/other\/blobs\/uploads\//);
  });

  test('blob reads honour Range with 206, refuse unsatisfiable ranges with 416, and HEAD has no body', async () => {
    const blob = randomBytes(10_000);
    assert.equal((await pushBlob(url, 'proto/range', blob)).status, 201);
    const path = `/v2/proto/range/blobs/${sha(blob)}`;
    const part = await raw(url, 'GET', path, { headers: { Range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], 'bytes 100-199/10000');
    assert.deepEqual(part.body, blob.subarray(100, 200));
    const tail = await raw(url, 'GET', path, { headers: { Range: 'bytes=-10' } });
    assert.deepEqual(tail.body, blob.subarray(9990));
    const bad = await raw(url, 'GET', path, { headers: { Range: 'bytes=20000-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */10000');
    const head = await raw(url, 'HEAD', path);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '10000');
    assert.equal(head.headers['docker-content-digest'], sha(blob));
    assert.equal(head.body.length, 0);
  });

  test('tags/list and _catalog paginate with n, last and a Link header', async () => {
    const img = makeImage([100], 'tags');
    for (const t of ['c', 'a', 'e', 'b', 'd']) assert.equal((await pushImage(url, 'proto/tags', t, img)).status, 201);
    const all = await raw(url, 'GET', '/v2/proto/tags/tags/list');
    assert.deepEqual(all.json(), { name: 'proto/tags', tags: ['a', 'b', 'c', 'd', 'e'] });
    assert.equal(all.headers['link'], undefined);
    const p1 = await raw(url, 'GET', '/v2/proto/tags/tags/list?n=2');
    assert.deepEqual(p1.json(), { name: 'proto/tags', tags: ['a', 'b'] });
    assert.equal(p1.headers['link'], '</v2/proto/tags/tags/list?n=2&last=b>; rel="next"');
    const next = /<([^>]+)>/.exec(String(p1.headers['link']))?.[1] ?? '';
    const p2 = await raw(url, 'GET', next);
    assert.deepEqual(p2.json(), { name: 'proto/tags', tags: ['c', 'd'] });
    const p3 = await raw(url, 'GET', '/v2/proto/tags/tags/list?n=2&last=d');
    assert.deepEqual(p3.json(), { name: 'proto/tags', tags: ['e'] });
    assert.equal(p3.headers['link'], undefined);
    const cat = await raw(url, 'GET', '/v2/_catalog?n=1');
    assert.equal(cat.json<{ repositories: string[] }>().repositories.length, 1);
    assert.match(String(cat.headers['link']), /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);
    const full = await raw(url, 'GET', '/v2/_catalog');
    assert.ok(full.json<{ repositories: string[] }>().repositories.includes('proto/tags'));
    const badN = await raw(url, 'GET', '/v2/proto/tags/tags/list?n=abc');
    assert.equal(badN.status, 400);
    assert.equal(errorCode(badN), 'PAGINATION_NUMBER_INVALID');
  });

  test('referrers list manifests whose subject is the digest, filtered by artifactType', async () => {
    const img = makeImage([100], 'subject');
    assert.equal((await pushImage(url, 'proto/ref', 'v1', img)).status, 201);
    const empty = Buffer.from('{}');
    assert.equal((await pushBlob(url, 'proto/ref', empty)).status, 201);
    const artifact = (type: string, note: string) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: type,
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 },
          layers: [],
          subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length },
          annotations: { note },
        }),
      );
    const sig = artifact('application/vnd.example.sig', 'signed');
    const sbom = artifact('application/vnd.example.sbom', 'sbom');
    for (const a of [sig, sbom]) {
      const r = await raw(url, 'PUT', `/v2/proto/ref/manifests/${sha(a)}`, { headers: { 'Content-Type': OCI_MANIFEST }, body: a });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers['oci-subject'], img.digest);
    }
    const all = await raw(url, 'GET', `/v2/proto/ref/referrers/${img.digest}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers['content-type'], 'application/vnd.oci.image.index.v1+json');
    const idx = all.json<{ schemaVersion: number; manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }> }>();
    assert.equal(idx.schemaVersion, 2);
    assert.deepEqual(idx.manifests.map((m) => m.digest).sort(), [sha(sig), sha(sbom)].sort());
    const filtered = await raw(url, 'GET', `/v2/proto/ref/referrers/${img.digest}?artifactType=application/vnd.example.sig`);
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    const f = filtered.json<{ manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }> }>();
    assert.deepEqual(f.manifests.map((m) => [m.digest, m.artifactType, m.annotations['note']]), [[sha(sig), 'application/vnd.example.sig', 'signed']]);
    const none = await raw(url, 'GET', `/v2/proto/ref/referrers/sha256:${'0'.repeat(64)}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.json<{ manifests: unknown[] }>().manifests, []);
  });

  test('an index is accepted only when its child manifests are in the repository', async () => {
    const img = makeImage([100], 'idx');
    assert.equal((await pushImage(url, 'proto/idx', 'amd64', img)).status, 201);
    const index = (digests: string[]) =>
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: digests.map((digest) => ({ mediaType: OCI_MANIFEST, digest, size: 1 })) }));
    const ok = await raw(url, 'PUT', '/v2/proto/idx/manifests/multi', { headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, body: index([img.digest]) });
    assert.equal(ok.status, 201);
    const missing = `sha256:${'9'.repeat(64)}`;
    const bad = await raw(url, 'PUT', '/v2/proto/idx/manifests/broken', { headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, body: index([img.digest, missing]) });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'MANIFEST_BLOB_UNKNOWN');
    const got = await raw(url, 'GET', '/v2/proto/idx/manifests/multi');
    assert.equal(got.headers['content-type'], 'application/vnd.oci.image.index.v1+json');
  });

  test('delete removes manifests, tags and blob links, and the spec errors follow', async () => {
    const img = makeImage([100, 200], 'del');
    assert.equal((await pushImage(url, 'proto/del', 'v1', img)).status, 201);
    assert.equal((await raw(url, 'PUT', '/v2/proto/del/manifests/v2', { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest })).status, 201);
    // Deleting a tag leaves the other tag and the manifest.
    assert.equal((await raw(url, 'DELETE', '/v2/proto/del/manifests/v2')).status, 202);
    assert.deepEqual((await raw(url, 'GET', '/v2/proto/del/tags/list')).json(), { name: 'proto/del', tags: ['v1'] });
    // Deleting by digest removes the manifest and its tags.
    assert.equal((await raw(url, 'DELETE', `/v2/proto/del/manifests/${img.digest}`)).status, 202);
    const gone = await raw(url, 'GET', `/v2/proto/del/manifests/${img.digest}`);
    assert.equal(gone.status, 404);
    assert.ok(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN'].includes(errorCode(gone) ?? ''));
    const again = await raw(url, 'DELETE', `/v2/proto/del/manifests/${img.digest}`);
    assert.equal(again.status, 404);
    const layer = sha(img.layers[0] as Buffer);
    assert.equal((await raw(url, 'DELETE', `/v2/proto/del/blobs/${layer}`)).status, 202);
    const blobGone = await raw(url, 'GET', `/v2/proto/del/blobs/${layer}`);
    assert.equal(blobGone.status, 404);
    assert.equal(errorCode(blobGone), 'BLOB_UNKNOWN');
    assert.equal(errorCode(await raw(url, 'DELETE', `/v2/proto/del/blobs/${layer}`)), 'BLOB_UNKNOWN');
  });

  describe('bad input is refused with the spec error code and nothing is written', () => {
    test('a digest that does not match the body: DIGEST_INVALID, no blob stored', async () => {
      const before = countBlobs(root);
      const body = randomBytes(1000);
      const r = await raw(url, 'POST', `/v2/bad/x/blobs/uploads/?digest=${sha('something else')}`, { headers: { 'Content-Length': body.length }, body });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), 'DIGEST_INVALID');
      assert.equal(countBlobs(root), before);
      assert.equal(readdirSync(join(root, 'uploads')).filter((f) => !f.includes('.')).length >= 0, true);
      const chunked = await raw(url, 'POST', '/v2/bad/x/blobs/uploads/');
      const put = await raw(url, 'PUT', `${String(chunked.headers['location'])}?digest=${sha('other')}`, { headers: { 'Content-Length': body.length }, body });
      assert.equal(errorCode(put), 'DIGEST_INVALID');
      assert.equal(countBlobs(root), before);
      const noDigest = await raw(url, 'PUT', String(chunked.headers['location']), { headers: { 'Content-Length': 0 } });
      assert.equal(noDigest.status, 400);
      assert.equal(errorCode(noDigest), 'DIGEST_INVALID');
      const sha512 = await raw(url, 'GET', `/v2/bad/x/blobs/sha512:${'a'.repeat(128)}`);
      assert.equal(errorCode(sha512), 'DIGEST_INVALID');
    });

    test('path traversal and bad names: NAME_INVALID', async () => {
      for (const p of ['/v2/../../etc/passwd/manifests/latest', '/v2/a/../b/tags/list', '/v2/%2e%2e/x/blobs/uploads/', '/v2/UPPER/manifests/x', '/v2/a//b/tags/list']) {
        const r = await raw(url, p.includes('uploads') ? 'POST' : 'GET', p);
        assert.equal(r.status, 400, p);
        assert.equal(errorCode(r), 'NAME_INVALID', p);
      }
      assert.equal(readdirSync(root).includes('etc'), false);
    });

    test('manifests: malformed JSON, oversized, unknown blobs, mismatched digest', async () => {
      const before = countBlobs(root);
      const malformed = await raw(url, 'PUT', '/v2/bad/m/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body: '{"schemaVersion":2,' });
      assert.equal(malformed.status, 400);
      assert.equal(errorCode(malformed), 'MANIFEST_INVALID');
      const huge = await raw(url, 'PUT', '/v2/bad/m/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body: Buffer.alloc(70_000, 0x20) });
      assert.equal(huge.status, 413);
      assert.equal(errorCode(huge), 'MANIFEST_INVALID');
      const img = makeImage([10], 'missing');
      const unknown = await raw(url, 'PUT', '/v2/bad/m/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest });
      assert.equal(unknown.status, 400);
      assert.equal(errorCode(unknown), 'MANIFEST_BLOB_UNKNOWN');
      const wrong = await raw(url, 'PUT', `/v2/bad/m/manifests/${sha('x')}`, { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest });
      assert.equal(errorCode(wrong), 'DIGEST_INVALID');
      const mismatch = await raw(url, 'PUT', '/v2/bad/m/manifests/v1', { headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, body: img.manifest });
      assert.equal(errorCode(mismatch), 'MANIFEST_INVALID');
      // Only the refused manifests' own bytes may have been stored (for GC), never a tag.
      assert.ok(countBlobs(root) - before <= 2);
      const tags = await raw(url, 'GET', '/v2/bad/m/tags/list');
      assert.equal(tags.status, 404);
      assert.equal(errorCode(tags), 'NAME_UNKNOWN');
      const noTag = await raw(url, 'GET', '/v2/proto/app/manifests/nosuchtag');
      assert.equal(noTag.status, 404);
      assert.equal(errorCode(noTag), 'MANIFEST_UNKNOWN');
    });

    test('uploads: unknown ids, ids of another repository, out-of-order chunks, size mismatch, cancel', async () => {
      const s = await raw(url, 'POST', '/v2/bad/up/blobs/uploads/');
      const loc = String(s.headers['location']);
      const uuid = loc.split('/').pop() ?? '';
      const other = await raw(url, 'GET', `/v2/bad/other/blobs/uploads/${uuid}`);
      assert.equal(other.status, 404);
      assert.equal(errorCode(other), 'BLOB_UPLOAD_UNKNOWN');
      const otherPatch = await raw(url, 'PATCH', `/v2/bad/other/blobs/uploads/${uuid}`, { body: 'zz', headers: { 'Content-Length': 2 } });
      assert.equal(errorCode(otherPatch), 'BLOB_UPLOAD_UNKNOWN');
      assert.equal(errorCode(await raw(url, 'GET', '/v2/bad/up/blobs/uploads/not-a-uuid')), 'BLOB_UPLOAD_UNKNOWN');
      assert.equal(errorCode(await raw(url, 'GET', '/v2/bad/up/blobs/uploads/..%2f..%2fregistry.db')), 'BLOB_UPLOAD_UNKNOWN');
      const first = await raw(url, 'PATCH', loc, { headers: { 'Content-Range': '0-9', 'Content-Length': 10 }, body: Buffer.alloc(10, 1) });
      assert.equal(first.status, 202);
      const gap = await raw(url, 'PATCH', loc, { headers: { 'Content-Range': '20-29', 'Content-Length': 10 }, body: Buffer.alloc(10, 2) });
      assert.equal(gap.status, 416);
      assert.equal(errorCode(gap), 'BLOB_UPLOAD_INVALID');
      assert.equal(gap.headers['range'], '0-9');
      const size = await raw(url, 'PATCH', loc, { headers: { 'Content-Range': '10-29', 'Content-Length': 10 }, body: Buffer.alloc(10, 2) });
      assert.equal(errorCode(size), 'SIZE_INVALID');
      assert.equal((await raw(url, 'GET', loc)).headers['range'], '0-9');
      assert.equal((await raw(url, 'DELETE', loc)).status, 204);
      assert.equal(errorCode(await raw(url, 'GET', loc)), 'BLOB_UPLOAD_UNKNOWN');
    });

    test('wrong methods are UNSUPPORTED, unknown paths 404, and deleting can be disabled', async () => {
      const r = await raw(url, 'PATCH', '/v2/proto/app/manifests/v1');
      assert.equal(r.status, 405);
      assert.equal(errorCode(r), 'UNSUPPORTED');
      assert.equal((await raw(url, 'GET', '/v1/whatever')).status, 404);
    });
  });

  test('metrics count requests and errors, and each request is logged as JSON', async () => {
    const m = await raw(url, 'GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /^skiff_registry_http_requests_total\{method="PUT",status="201"\} \d+$/m);
    assert.match(m.text, /^skiff_registry_errors_total\{code="DIGEST_INVALID"\} [1-9]\d*$/m);
    assert.match(m.text, /^skiff_registry_http_request_bytes_total [1-9]\d*$/m);
    const lines = reg.stdout().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; method: string; status: number; path: string });
    assert.ok(lines.some((l) => l.msg === 'request' && l.method === 'PUT' && l.status === 201 && l.path === '/v2/proto/app/manifests/v1'));
  });
});

async function writeConfig(root: string): Promise<string> {
  const { writeFileSync } = await import('node:fs');
  const file = join(root, 'config.json');
  writeFileSync(file, JSON.stringify({ limits: { maxManifestBytes: 65536 } }));
  return file;
}
