// Crashes, restarts, garbage collection and shutdown of `skiff registry serve`, plus skopeo as
// an independent real client.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findOnPath } from './fixtures.js';
import { errorCode, makeImage, pullAndVerify, pushBlob, pushImage, raw, sha, skiffRegistryArgv, startRegistry, type TestImage } from './registry-server-client.js';
import { runCommand } from './run-command.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('registry faults', () => {
  test('an upload resumes after a server restart from the offset the server reports', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-resume-');
    let reg = await startRegistry(['--root', root]);
    try {
      const img = makeImage([400_000], 'resume');
      const layer = img.layers[0] as Buffer;
      const s = await raw(reg.url, 'POST', '/v2/resume/app/blobs/uploads/');
      const loc = String(s.headers['location']);
      const half = 150_000;
      assert.equal((await raw(reg.url, 'PATCH', loc, { headers: { 'Content-Range': `0-${half - 1}`, 'Content-Length': half }, body: layer.subarray(0, half) })).status, 202);
      assert.equal(await reg.stop('SIGKILL'), null);
      reg = await startRegistry(['--root', root]);
      const st = await raw(reg.url, 'GET', loc);
      assert.equal(st.status, 204);
      assert.equal(st.headers['range'], `0-${half - 1}`);
      const rest = layer.subarray(half);
      assert.equal((await raw(reg.url, 'PATCH', loc, { headers: { 'Content-Range': `${half}-${layer.length - 1}`, 'Content-Length': rest.length }, body: rest })).status, 202);
      assert.equal((await raw(reg.url, 'PUT', `${loc}?digest=${sha(layer)}`, { headers: { 'Content-Length': 0 } })).status, 201);
      assert.equal((await pushBlob(reg.url, 'resume/app', img.config)).status, 201);
      assert.equal((await raw(reg.url, 'PUT', '/v2/resume/app/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body: img.manifest })).status, 201);
      assert.equal(await pullAndVerify(reg.url, 'resume/app', 'v1'), img.digest);
    } finally {
      await reg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('kill -9 during 20 concurrent pushes: every acknowledged tag is pullable and verifies after restart', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-crash-');
    let reg = await startRegistry(['--root', root]);
    const url = reg.url;
    const acked: Array<{ tag: string; img: TestImage }> = [];
    try {
      const pushes = Array.from({ length: 20 }, async (_, i) => {
        // Several rounds each, so the kill lands in the middle of uploads and manifest writes.
        for (let round = 0; round < 50; round++) {
          const img = makeImage([50_000 + i * 1000, 20_000], `c${i}-${round}`);
          const tag = `t${i}-${round}`;
          const r = await pushImage(url, 'crash/app', tag, img).catch(() => undefined);
          if (r === undefined) return;
          if (r.status === 201) acked.push({ tag, img });
        }
      });
      // Kill once a few pushes were acknowledged, while the other clients are mid-push.
      for (let waited = 0; acked.length < 5 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await reg.stop('SIGKILL'), null);
      await Promise.all(pushes);
      assert.ok(acked.length > 0, 'some pushes were acknowledged before the kill');
      reg = await startRegistry(['--root', root]);
      for (const { tag, img } of acked) assert.equal(await pullAndVerify(reg.url, 'crash/app', tag), img.digest, tag);
      // No half-written blob is visible: every stored blob's name is its content's digest.
      const dir = join(root, 'blobs', 'sha256');
      const { readFileSync } = await import('node:fs');
      for (const shard of readdirSync(dir)) for (const hex of readdirSync(join(dir, shard))) assert.equal(sha(readFileSync(join(dir, shard, hex))), `sha256:${hex}`);
    } finally {
      await reg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('gc while serving removes only blobs no manifest references', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-gc-');
    const reg = await startRegistry(['--root', root]);
    try {
      const keep = makeImage([3000, 4000], 'keep');
      const drop = makeImage([5000], 'drop');
      assert.equal((await pushImage(reg.url, 'gc/keep', 'v1', keep)).status, 201);
      assert.equal((await pushImage(reg.url, 'gc/drop', 'v1', drop)).status, 201);
      const orphan = Buffer.from('orphan blob, never referenced');
      assert.equal((await pushBlob(reg.url, 'gc/keep', orphan)).status, 201);
      assert.equal((await raw(reg.url, 'DELETE', `/v2/gc/drop/manifests/${drop.digest}`)).status, 202);
      // With the default grace period everything is too young to collect.
      const young = await runCommand(process.execPath, skiffRegistryArgv(['gc', '--root', root]));
      assert.equal(young.code, 0, young.stderr);
      assert.match(young.stdout, /deleted 0 \(0 bytes\)/);
      await new Promise((r) => setTimeout(r, 50));
      const gc = await runCommand(process.execPath, skiffRegistryArgv(['gc', '--root', root, '--grace', '0s']));
      assert.equal(gc.code, 0, gc.stderr);
      const deleted = gc.stdout.split('\n').filter((l) => l.startsWith('deleted sha256:')).map((l) => l.slice('deleted '.length)).sort();
      const expected = [sha(orphan), sha(drop.layers[0] as Buffer), sha(drop.config), drop.digest].sort();
      assert.deepEqual(deleted, expected);
      assert.equal(await pullAndVerify(reg.url, 'gc/keep', 'v1'), keep.digest);
      assert.equal(errorCode(await raw(reg.url, 'GET', `/v2/gc/keep/blobs/${sha(orphan)}`)), 'BLOB_UNKNOWN');
      // The store still accepts the same content again after its blob was collected.
      assert.equal((await pushImage(reg.url, 'gc/drop', 'v2', drop)).status, 201);
      assert.equal(await pullAndVerify(reg.url, 'gc/drop', 'v2'), drop.digest);
    } finally {
      await reg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('SIGTERM lets an in-flight upload finish before the server exits 0', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-shutdown-');
    const reg = await startRegistry(['--root', root]);
    try {
      const s = await raw(reg.url, 'POST', '/v2/slow/app/blobs/uploads/');
      const loc = String(s.headers['location']);
      const chunk = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      async function* slowBody(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 10; i++) {
          if (i === 3) reg.proc.kill('SIGTERM');
          await new Promise((r) => setTimeout(r, 100));
          sent += chunk.length;
          yield chunk;
        }
      }
      const r = await raw(reg.url, 'PATCH', loc, { headers: { 'Content-Length': chunk.length * 10 }, body: slowBody() });
      assert.equal(r.status, 202);
      assert.equal(r.headers['range'], `0-${sent - 1}`);
      assert.equal(await reg.stop(), 0);
      assert.match(reg.stderr(), /"msg":"shutting down"/);
    } finally {
      await reg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

const skopeo = findOnPath('skopeo');

describe('skopeo against skiff registry', { skip: skopeo === undefined ? 'skopeo not installed' : false }, () => {
  test('skopeo copies an OCI layout into the registry and back unchanged', async () => {
    const root = mkdtempSync('/tmp/skiff-registry-skopeo-');
    const reg = await startRegistry(['--root', join(root, 'store')]);
    try {
      const img = makeImage([20_000, 30_000], 'skopeo');
      const layout = join(root, 'in');
      mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
      for (const b of [...img.layers, img.config, img.manifest]) writeFileSync(join(layout, 'blobs', 'sha256', sha(b).slice(7)), b);
      writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(
        join(layout, 'index.json'),
        JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }),
      );
      const ref = `docker://${new URL(reg.url).host}/skopeo/img:v1`;
      const env = { ...process.env, HOME: root };
      const up = await runCommand(skopeo ?? 'skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, ref], { env, timeoutMs: 120_000 });
      assert.equal(up.code, 0, up.stderr);
      assert.equal(await pullAndVerify(reg.url, 'skopeo/img', 'v1'), img.digest);
      const out = join(root, 'out');
      const down = await runCommand(skopeo ?? 'skopeo', ['copy', '--src-tls-verify=false', ref, `oci:${out}:v1`], { env, timeoutMs: 120_000 });
      assert.equal(down.code, 0, down.stderr);
      const { readFileSync } = await import('node:fs');
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
      assert.equal(index.manifests[0]?.digest, img.digest);
      for (const l of img.layers) assert.equal(sha(readFileSync(join(out, 'blobs', 'sha256', sha(l).slice(7)))), sha(l));
      const inspect = await runCommand(skopeo ?? 'skopeo', ['inspect', '--tls-verify=false', ref], { env });
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.equal((JSON.parse(inspect.stdout) as { Digest: string }).Digest, img.digest);
      const tags = await runCommand(skopeo ?? 'skopeo', ['list-tags', '--tls-verify=false', `docker://${new URL(reg.url).host}/skopeo/img`], { env });
      assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['v1']);
    } finally {
      await reg.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
