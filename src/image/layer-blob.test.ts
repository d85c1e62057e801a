import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { sha256Of } from '../base/digest.js';
import { randomBytes } from 'node:crypto';
import { compressTar, tarLayerDir } from './layer-blob.js';
import { LayerBlobDb } from './layer-blob-db.js';

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('compressTar makes a multi-member gzip that inflates to the input, with both digests', async () => {
  const input = Buffer.alloc(3 * 1024 * 1024 + 123);
  for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 251;
  const packed = compressTar(Readable.from([input.subarray(0, 1000), input.subarray(1000)]), { chunkSize: 1024 * 1024, parallel: 2 });
  const blob = await collect(packed.stream);
  const r = await packed.result;
  assert.ok(blob.indexOf(Buffer.from([0x1f, 0x8b]), 10) > 0, 'more than one gzip member');
  assert.deepEqual(gunzipSync(blob), input);
  assert.equal(r.diffId, sha256Of(input));
  assert.equal(r.digest, sha256Of(blob));
  assert.equal(r.size, blob.length);
  assert.equal(r.tarSize, input.length);
});

test('tarLayerDir writes whiteouts and directories in byte order, parents first', async () => {
  const dir = mkdtempSync('/tmp/layerblob-');
  try {
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'f'), 'hi');
    writeFileSync(join(dir, 'a'), 'x');
    const tar = await collect(tarLayerDir(dir));
    const names: string[] = [];
    for (let off = 0; off + 512 <= tar.length; ) {
      const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
      if (name === '') break;
      names.push(name);
      const size = parseInt(tar.subarray(off + 124, off + 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    assert.deepEqual(names, ['a', 'b/', 'b/f']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LayerBlobDb maps local diffIDs to blobs and remembers source repositories', () => {
  const db = new Database(':memory:');
  const b = new LayerBlobDb(db);
  const d = (c: string) => `sha256:${c.repeat(64)}` as const;
  b.record({ localDiffId: d('1'), diffId: d('2'), digest: d('3'), size: 9, mediaType: 'm' });
  assert.deepEqual(b.blobsFor(d('1')), [{ localDiffId: d('1'), diffId: d('2'), digest: d('3'), size: 9, mediaType: 'm' }]);
  assert.deepEqual(b.blobsFor(d('2')), []);
  b.addSource(d('3'), { domain: 'r:5000', repository: 'a/b' });
  b.addSource(d('3'), { domain: 'r:5000', repository: 'a/b' });
  assert.deepEqual(b.sourcesOf(d('3'), 'r:5000'), ['a/b']);
  assert.deepEqual(b.sourcesOf(d('3'), 'other'), []);
});

