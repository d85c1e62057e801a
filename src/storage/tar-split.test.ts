import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { LayerStore } from './layer-store.js';
import type { SpecialFileMaker } from './special-files.js';
import { assembleTar, decodeTarSplit, encodeTarSplit, TarSplitRecorder, tarSplitMatches } from './tar-split.js';
import { makeTar, paxBody } from './testing/tar-fixture.js';

const fakeSpecial: SpecialFileMaker = {
  async mknod(path) {
    writeFileSync(path, '');
  },
  async mkfifo(path) {
    writeFileSync(path, '');
  },
};

function withStore(fn: (store: LayerStore, top: string) => Promise<void>): Promise<void> {
  const top = mkdtempSync(join(tmpdir(), 'skiff-ts-'));
  const db = new Database(':memory:');
  const store = new LayerStore(join(top, 'data'), db, { special: fakeSpecial, setXattr: async () => {} });
  return fn(store, top).finally(() => {
    db.close();
    rmSync(top, { recursive: true, force: true });
  });
}

test('tar-split rebuilds the exact tar a layer was unpacked from, PAX records, padding and trailer included', async () => {
  await withStore(async (store) => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(110)}`;
    const bytes = await makeTar([
      { header: { name: 'etc/', type: 'directory', mode: 0o750 } },
      { header: { name: 'etc/hosts', mode: 0o640, uid: 3, gid: 4 }, content: 'hello' },
      { header: { name: 'x', type: 'pax-header' }, content: paxBody({ 'SCHILY.xattr.user.k': 'v', mtime: '1700000000.5' }) },
      { header: { name: 'bin/sh', mode: 0o755 }, content: Buffer.alloc(1536, 7) },
      { header: { name: 'bin/ash', type: 'link', linkname: 'bin/sh' } },
      { header: { name: 'empty' }, content: '' },
      { header: { name: long }, content: 'deep' },
      { header: { name: 'link', type: 'symlink', linkname: '/etc/hosts' } },
    ]);
    // Extra zero blocks after the end-of-archive marker are part of the diffID too.
    const withTrailer = Buffer.concat([bytes, Buffer.alloc(2048)]);
    const r = await store.applyTar(Readable.from([gzipSync(withTrailer)]), undefined);
    const tar = await store.originalTar(r.chainId);
    assert.ok(tar, 'a journal was kept');
    assert.ok((await buffer(tar)).equals(withTrailer));
  });
});

test('tar-split gives no tar when a file of the layer changed size', async () => {
  await withStore(async (store) => {
    const bytes = await makeTar([{ header: { name: 'a' }, content: 'abc' }]);
    const r = await store.applyTar(Readable.from([bytes]), undefined);
    writeFileSync(join(store.diffDir(r.chainId), 'a'), 'abcd');
    assert.equal(await store.originalTar(r.chainId), undefined);
  });
});

test('tar-split recorder refuses a tar whose path holds two contents (the first is gone)', async () => {
  const bytes = await makeTar([
    { header: { name: 'a' }, content: 'first' },
    { header: { name: 'a' }, content: 'second' },
  ]);
  const rec = new TarSplitRecorder();
  rec.feed(bytes);
  rec.fileAt(512, 'a');
  rec.fileAt(1536, 'a');
  assert.equal(rec.finish(), undefined);
});

test('tar-split recorder refuses a content range no unpacked file holds', async () => {
  const bytes = await makeTar([{ header: { name: 'a' }, content: 'first' }]);
  const rec = new TarSplitRecorder();
  rec.feed(bytes);
  assert.equal(rec.finish(), undefined);
});

test('tar-split journal round-trips through its encoding, byte by byte fed', async () => {
  const bytes = await makeTar([
    { header: { name: 'a' }, content: 'x'.repeat(700) },
    { header: { name: 'b/' , type: 'directory' } },
  ]);
  const rec = new TarSplitRecorder();
  for (let i = 0; i < bytes.length; i += 100) rec.feed(bytes.subarray(i, i + 100));
  rec.fileAt(512, 'a');
  const journal = rec.finish();
  assert.ok(journal);
  const records = decodeTarSplit(journal);
  assert.deepEqual(records.filter((r) => 'path' in r), [{ path: 'a', size: 700 }]);
  assert.equal(records.reduce((n, r) => n + ('raw' in r ? r.raw.length : r.size), 0), bytes.length);
  assert.throws(() => decodeTarSplit(gzipSync(Buffer.from('something else'))), /not a tar-split journal/);
});

test('tar-split never reads outside the layer through a symlinked parent', async () => {
  const top = mkdtempSync(join(tmpdir(), 'skiff-ts-'));
  try {
    const layer = join(top, 'layer');
    const outside = join(top, 'outside');
    for (const d of [layer, outside]) mkdirSync(d);
    writeFileSync(join(outside, 'secret'), 'host!');
    symlinkSync(outside, join(layer, 'up'));
    const records = decodeTarSplit(encodeTarSplit([{ path: 'up/secret', size: 5 }]));
    // The absolute symlink target is re-rooted at the layer, where no such file exists.
    assert.equal(await tarSplitMatches(layer, records), false);
    await assert.rejects(buffer(assembleTar(layer, records)), /ENOENT/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

