import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import tar from 'tar-stream';
import { changeList, upperChanges, type DiffFs } from './layer-diff.js';
import { EMPTY_LAYER_DIFF_ID, packTar, paxRecord, type TarEntry } from './layer-diff-tar.js';
import { sha256Of } from '../base/digest.js';

async function readTar(entries: TarEntry[]): Promise<Array<{ name: string; type: string; size: number; linkname: string | null; pax: Record<string, string> | undefined; body: string }>> {
  const extract = tar.extract();
  const out: Array<{ name: string; type: string; size: number; linkname: string | null; pax: Record<string, string> | undefined; body: string }> = [];
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({ name: h.name, type: h.type ?? '', size: h.size ?? 0, linkname: h.linkname ?? null, pax: h.pax as Record<string, string> | undefined, body: Buffer.concat(chunks).toString() });
      next();
    });
  });
  const done = new Promise((resolve, reject) => {
    extract.on('finish', () => resolve(undefined));
    extract.on('error', reject);
  });
  packTar(entries).pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

test('packTar of nothing is the empty layer Docker knows', async () => {
  const chunks: Buffer[] = [];
  for await (const c of packTar([])) chunks.push(c as Buffer);
  assert.equal(sha256Of(Buffer.concat(chunks)), EMPTY_LAYER_DIFF_ID);
});

test('paxRecord counts its own length in bytes', () => {
  const r = paxRecord('SCHILY.xattr.security.capability', Buffer.from([1, 0, 0, 2, 0xff, 0x80]));
  assert.equal(Number(r.subarray(0, r.indexOf(0x20)).toString()), r.length);
  assert.deepEqual([...r.subarray(r.length - 7, r.length - 1)], [1, 0, 0, 2, 0xff, 0x80]);
});

test('packTar writes files, dirs, links, long names and xattrs that tar-stream reads back', async () => {
  const long = `${'d'.repeat(120)}/file`;
  const got = await readTar([
    { name: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    { name: 'etc/a', type: 'file', mode: 0o644, uid: 1, gid: 2, mtime: 5, size: 3, source: Buffer.from('abc') },
    { name: 'etc/b', type: 'link', mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: 'etc/a' },
    { name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 0, linkname: '/etc/a' },
    { name: long, type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: 0, size: 0, source: Buffer.alloc(0), xattrs: new Map([['user.k', Buffer.from('v')]]) },
  ]);
  assert.deepEqual(got.map((e) => [e.name, e.type]), [['etc/', 'directory'], ['etc/a', 'file'], ['etc/b', 'link'], ['l', 'symlink'], [long, 'file']]);
  assert.equal(got[1]?.body, 'abc');
  assert.equal(got[2]?.linkname, 'etc/a');
  assert.equal(got[4]?.pax?.['SCHILY.xattr.user.k'], 'v');
});

const noXattrs = (opaque: Set<string> = new Set()): DiffFs => ({ xattrs: async () => new Map(), opaque: async (p) => opaque.has(p) });

test('upperChanges turns an upper dir into A/C/D changes and whiteout entries', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root for mknod');
  const root = mkdtempSync('/tmp/skiff-diff-');
  try {
    const lower = join(root, 'lower');
    const upper = join(root, 'upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(lower, 'tmp'), { recursive: true });
    writeFileSync(join(lower, 'etc/passwd'), 'x');
    writeFileSync(join(lower, 'etc/group'), 'x');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'tmp/new'), { recursive: true });
    mkdirSync(join(upper, 'proc'), { recursive: true });
    writeFileSync(join(upper, 'etc/hosts'), '');
    writeFileSync(join(upper, 'etc/passwd'), 'changed');
    execFileSync('mknod', [join(upper, 'etc/group'), 'c', '0', '0']);
    writeFileSync(join(upper, 'tmp/new/f'), 'f');
    linkSync(join(upper, 'tmp/new/f'), join(upper, 'tmp/new/g'));
    symlinkSync('f', join(upper, 'tmp/new/s'));
    chmodSync(join(upper, 'tmp/new'), 0o700);
    const changes = await upperChanges(upper, [lower], noXattrs());
    assert.deepEqual(changeList(changes), [
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/group', Kind: 2 },
      { Path: '/etc/passwd', Kind: 0 },
      { Path: '/tmp', Kind: 0 },
      { Path: '/tmp/new', Kind: 1 },
      { Path: '/tmp/new/f', Kind: 1 },
      { Path: '/tmp/new/g', Kind: 1 },
      { Path: '/tmp/new/s', Kind: 1 },
    ]);
    const byName = new Map(changes.map((c) => [c.entry?.name, c.entry]));
    assert.equal(byName.get('etc/.wh.group')?.type, 'file');
    assert.equal(byName.get('tmp/new/g')?.type, 'link');
    assert.equal(byName.get('tmp/new/g')?.linkname, 'tmp/new/f');
    assert.equal(byName.get('tmp/new')?.mode, 0o700);
    assert.equal(byName.has('etc/hosts'), false, 'runtime-made mount points stay out of layers');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('upperChanges marks opaque directories and leaves out untouched parents', async () => {
  const root = mkdtempSync('/tmp/skiff-diff-');
  try {
    const lower = join(root, 'lower');
    const upper = join(root, 'upper');
    mkdirSync(join(lower, 'd'), { recursive: true });
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'd'), { recursive: true });
    mkdirSync(join(upper, 'etc'), { recursive: true });
    writeFileSync(join(upper, 'etc/resolv.conf'), '');
    const changes = await upperChanges(upper, [lower], noXattrs(new Set([join(upper, 'd')])));
    assert.deepEqual(changes.map((c) => c.entry?.name), ['d', 'd/.wh..wh..opq']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('upperChanges reads lower owners through the container mapping, so a remapped untouched /etc stays out', async () => {
  const root = mkdtempSync('/tmp/skiff-diff-');
  try {
    const lower = join(root, 'lower');
    const upper = join(root, 'upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'etc'), { recursive: true });
    writeFileSync(join(upper, 'etc/hostname'), '');
    const shift = { uid: (id: number) => id + 100000, gid: (id: number) => id + 100000 };
    // Same owners on disk: read through a mapping, the upper /etc is not the lower's any more.
    assert.deepEqual((await upperChanges(upper, [lower], noXattrs())).map((c) => c.path), []);
    assert.deepEqual((await upperChanges(upper, [lower], noXattrs(), shift)).map((c) => c.path), ['etc']);
    if (process.getuid?.() === 0) {
      const { chownSync, statSync } = await import('node:fs');
      const st = statSync(join(lower, 'etc'));
      chownSync(join(upper, 'etc'), st.uid + 100000, st.gid + 100000);
      assert.deepEqual((await upperChanges(upper, [lower], noXattrs(), shift)).map((c) => c.path), [], 'shifted owners are the lower’s own');
      assert.deepEqual((await upperChanges(upper, [lower], noXattrs())).map((c) => c.path), ['etc'], 'without the mapping they differ');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
