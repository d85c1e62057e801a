import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { getAttribute } from 'fs-xattr';
import { sha256Of } from '../base/digest.js';
import { isEngineError } from '../base/engine-error.js';
import { chainIdOf, LayerStore } from './layer-store.js';
import type { SpecialFileMaker } from './special-files.js';
import { makeTar, paxBody } from './testing/tar-fixture.js';

const asRoot = process.getuid?.() === 0;

interface Fixture {
  top: string;
  root: string;
  outside: string;
  store: LayerStore;
  xattrs: Array<{ path: string; name: string; value: Buffer }>;
  nodes: string[];
  close(): void;
}

/** Paths recorded by the fakes, relative to the layer being unpacked (a temp dir at the time). */
const rel = (p: string) => p.replace(/^.*?\/diff(\/|$)/, '');

/** A data root inside a scratch dir, next to an "outside" dir that must never be written. */
function fixture(opts: { realSpecial?: boolean } = {}): Fixture {
  const top = mkdtempSync(join(tmpdir(), 'skiff-ls-'));
  const root = join(top, 'data');
  const outside = join(top, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'file'), 'original');
  const db = new Database(':memory:');
  const xattrs: Fixture['xattrs'] = [];
  const nodes: string[] = [];
  const fakeSpecial: SpecialFileMaker = {
    async mknod(path, kind, major, minor) {
      nodes.push(`${kind} ${major}/${minor} ${rel(path)}`);
      writeFileSync(path, '');
    },
    async mkfifo(path) {
      nodes.push(`p ${rel(path)}`);
      writeFileSync(path, '');
    },
  };
  const store = new LayerStore(
    root,
    db,
    opts.realSpecial
      ? {}
      : {
          special: fakeSpecial,
          setXattr: async (path, name, value) => {
            xattrs.push({ path: rel(path), name, value: Buffer.from(value) });
          },
        },
  );
  return { top, root, outside, store, xattrs, nodes, close: () => (db.close(), rmSync(top, { recursive: true, force: true })) };
}

function outsideUntouched(f: Fixture): void {
  assert.deepEqual(readdirSync(f.outside), ['file']);
  assert.equal(readFileSync(join(f.outside, 'file'), 'utf8'), 'original');
  assert.equal(statSync(join(f.outside, 'file')).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(f.top).sort(), ['data', 'outside']);
}

function noTemp(f: Fixture): void {
  const dir = join(f.root, 'layers');
  const names = existsSync(dir) ? readdirSync(dir) : [];
  assert.deepEqual(names.filter((n) => n.includes('.tmp-')), []);
}

test('layer store unpacks files, dirs, symlinks and hardlinks and reports diffID, chainID and size', async () => {
  const f = fixture();
  try {
    const bytes = await makeTar([
      { header: { name: 'etc/', type: 'directory', mode: 0o750, uid: 1, gid: 2 } },
      { header: { name: 'etc/hosts', mode: 0o640, uid: 3, gid: 4 }, content: 'hello' },
      { header: { name: 'bin/sh', mode: 0o755 }, content: 'binary!' },
      { header: { name: 'bin/ash', type: 'link', linkname: 'bin/sh' } },
      { header: { name: 'link', type: 'symlink', linkname: '/etc/hosts' } },
    ]);
    const r = await f.store.applyTar(Readable.from([bytes]), undefined);
    assert.equal(r.diffId, sha256Of(bytes));
    assert.equal(r.chainId, r.diffId);
    assert.equal(r.size, 12);
    const [diff] = f.store.diffDirs(r.chainId);
    assert.equal(diff, join(f.root, 'layers', r.chainId.slice(7), 'diff'));
    const d = diff as string;
    assert.equal(readFileSync(join(d, 'etc/hosts'), 'utf8'), 'hello');
    assert.equal(statSync(join(d, 'etc/hosts')).mode & 0o777, 0o640);
    assert.equal(statSync(join(d, 'etc')).mode & 0o777, 0o750);
    assert.equal(statSync(join(d, 'bin/sh')).mtimeMs, 1_700_000_000_000);
    assert.equal(statSync(join(d, 'bin/ash')).ino, statSync(join(d, 'bin/sh')).ino);
    assert.equal(readlinkSync(join(d, 'link')), '/etc/hosts');
    if (asRoot) {
      assert.equal(statSync(join(d, 'etc/hosts')).uid, 3);
      assert.equal(statSync(join(d, 'etc')).gid, 2);
    }
    assert.deepEqual(f.store.get(r.chainId), { chainId: r.chainId, diffId: r.diffId, parent: undefined, size: 12 });
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store gives a gzip tar the diffID of its uncompressed bytes', async () => {
  const f = fixture();
  try {
    const bytes = await makeTar([{ header: { name: 'a' }, content: 'x' }]);
    const r = await f.store.applyTar(Readable.from([gzipSync(bytes)]), undefined);
    assert.equal(r.diffId, sha256Of(bytes));
  } finally {
    f.close();
  }
});

test('layer store chains a second layer and lists diff dirs top first', async () => {
  const f = fixture();
  try {
    const b1 = await makeTar([{ header: { name: 'one' }, content: '1' }]);
    const b2 = await makeTar([{ header: { name: 'two' }, content: '22' }]);
    const l1 = await f.store.applyTar(Readable.from([b1]), undefined);
    const l2 = await f.store.applyTar(Readable.from([b2]), l1.chainId);
    assert.equal(l2.chainId, sha256Of(`${l1.chainId} ${sha256Of(b2)}`));
    assert.equal(l2.chainId, chainIdOf(l1.chainId, l2.diffId));
    assert.deepEqual(f.store.diffDirs(l2.chainId), [
      join(f.root, 'layers', l2.chainId.slice(7), 'diff'),
      join(f.root, 'layers', l1.chainId.slice(7), 'diff'),
    ]);
    await assert.rejects(f.store.remove(l1.chainId), (e: unknown) => isEngineError(e, 'Conflict'));
    await f.store.remove(l2.chainId);
    await f.store.remove(l1.chainId);
    assert.deepEqual(f.store.list(), []);
    assert.deepEqual(readdirSync(join(f.root, 'layers')), []);
  } finally {
    f.close();
  }
});

test('layer store reuses an existing chain and leaves no temp dir', async () => {
  const f = fixture();
  try {
    const b = await makeTar([{ header: { name: 'a' }, content: 'x' }]);
    const a1 = await f.store.applyTar(Readable.from([b]), undefined);
    const a2 = await f.store.applyTar(Readable.from([b]), undefined);
    assert.deepEqual(a1, a2);
    assert.equal(readdirSync(join(f.root, 'layers')).length, 1);
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store rejects an entry that climbs out with ..', async () => {
  const f = fixture();
  try {
    const b = await makeTar([{ header: { name: '../evil' }, content: 'x' }]);
    await assert.rejects(f.store.applyTar(Readable.from([b]), undefined), (e: unknown) => isEngineError(e, 'InvalidParameter'));
    const b2 = await makeTar([{ header: { name: 'a/../../outside/file' }, content: 'x' }]);
    await assert.rejects(f.store.applyTar(Readable.from([b2]), undefined), (e: unknown) => isEngineError(e, 'InvalidParameter'));
    outsideUntouched(f);
    assert.deepEqual(f.store.list(), []);
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store writes absolute entry names inside the layer', async () => {
  const f = fixture();
  try {
    const b = await makeTar([{ header: { name: `${f.outside}/file` }, content: 'pwned' }, { header: { name: '/abs/file' }, content: 'y' }]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.equal(readFileSync(join(d, f.outside, 'file'), 'utf8'), 'pwned');
    assert.equal(readFileSync(join(d, 'abs/file'), 'utf8'), 'y');
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store re-roots an absolute symlink met in a parent path', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'a', type: 'symlink', linkname: f.outside } },
      { header: { name: 'a/file' }, content: 'pwned' },
      { header: { name: 'a/new' }, content: 'pwned' },
      { header: { name: 'e', type: 'symlink', linkname: '/etc' } },
      { header: { name: 'e/passwd' }, content: 'root::0:0::/:/bin/sh' },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.equal(readFileSync(join(d, f.outside, 'new'), 'utf8'), 'pwned');
    assert.equal(readFileSync(join(d, 'etc/passwd'), 'utf8'), 'root::0:0::/:/bin/sh');
    assert.equal(lstatSync(join(d, 'a')).isSymbolicLink(), true);
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store re-resolves a parent directory that a later entry replaced with a symlink', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'p/', type: 'directory' } },
      { header: { name: 'p/first' }, content: 'one' },
      { header: { name: 'p', type: 'symlink', linkname: f.outside } },
      { header: { name: 'p/second' }, content: 'pwned' },
      { header: { name: 'q/deep/file' }, content: 'implicit parents' },
      { header: { name: 'q/deep', mode: 0o644 }, content: 'a file where a directory was' },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.equal(lstatSync(join(d, 'p')).isSymbolicLink(), true);
    assert.equal(readFileSync(join(d, f.outside, 'second'), 'utf8'), 'pwned');
    assert.equal(existsSync(join(d, f.outside, 'first')), false);
    assert.equal(readFileSync(join(d, 'q/deep'), 'utf8'), 'a file where a directory was');
    // And nothing is written below what is now a file, however recently it was a directory.
    const under = await makeTar([
      { header: { name: 'r/sub/file' }, content: 'x' },
      { header: { name: 'r/sub' }, content: 'now a file' },
      { header: { name: 'r/sub/again' }, content: 'y' },
    ]);
    await assert.rejects(f.store.applyTar(Readable.from([under]), undefined), /r\/sub is not a directory/);
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store gives owners and modes exactly, also where creating them could not', { skip: !asRoot && 'needs root' }, async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'g/', type: 'directory', mode: 0o2775, uid: 0, gid: 50 } },
      { header: { name: 'g/root-file', mode: 0o644, uid: 0, gid: 0 }, content: 'x' },
      { header: { name: 'g/link', type: 'symlink', linkname: 'root-file', uid: 0, gid: 0 } },
      { header: { name: 'g/sub/', type: 'directory', mode: 0o755, uid: 0, gid: 0 } },
      { header: { name: 'suid', mode: 0o4755, uid: 0, gid: 0 }, content: 'x' },
      { header: { name: 'open', mode: 0o666, uid: 0, gid: 0 }, content: 'x' },
      { header: { name: 'owned', mode: 0o600, uid: 1000, gid: 1001 }, content: 'x' },
      { header: { name: 'wide/', type: 'directory', mode: 0o777 } },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    const st = (p: string) => lstatSync(join(d, p));
    assert.equal(st('g').gid, 50);
    assert.equal(st('g').mode & 0o7777, 0o2775);
    // Created in a setgid directory, they would take its group 50 unless chowned back.
    assert.equal(st('g/root-file').gid, 0);
    assert.equal(st('g/link').gid, 0);
    assert.equal(st('g/sub').gid, 0);
    assert.equal(st('suid').mode & 0o7777, 0o4755);
    assert.equal(st('open').mode & 0o7777, 0o666);
    assert.equal(st('wide').mode & 0o7777, 0o777);
    assert.deepEqual([st('owned').uid, st('owned').gid, st('owned').mode & 0o7777], [1000, 1001, 0o600]);
  } finally {
    f.close();
  }
});

test('layer store clamps a relative symlink that climbs above the layer root', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'b', type: 'symlink', linkname: '../../../../../../..' } },
      { header: { name: 'b/x' }, content: 'pwned' },
      { header: { name: 'c', type: 'symlink', linkname: '../outside' } },
      { header: { name: 'c/file' }, content: 'pwned' },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.equal(readFileSync(join(d, 'x'), 'utf8'), 'pwned');
    assert.equal(readFileSync(join(d, 'outside/file'), 'utf8'), 'pwned');
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store replaces a symlink entry instead of writing through it', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'f', type: 'symlink', linkname: join(f.outside, 'file') } },
      { header: { name: 'f', mode: 0o600 }, content: 'pwned' },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    assert.equal(readFileSync(join(f.store.diffDir(r.chainId), 'f'), 'utf8'), 'pwned');
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store sets directory times without following a symlink that replaced the directory', async () => {
  const f = fixture();
  try {
    const before = statSync(join(f.outside, 'file')).mtimeMs;
    const b = await makeTar([
      { header: { name: 'd/', type: 'directory', mtime: new Date(1000) } },
      { header: { name: 'd', type: 'symlink', linkname: join(f.outside, 'file') } },
    ]);
    await f.store.applyTar(Readable.from([b]), undefined);
    assert.equal(statSync(join(f.outside, 'file')).mtimeMs, before);
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store rejects a hardlink whose target escapes or is missing', async () => {
  const f = fixture();
  try {
    for (const linkname of ['../outside/file', 'nosuch']) {
      const b = await makeTar([{ header: { name: 'h', type: 'link', linkname } }]);
      await assert.rejects(f.store.applyTar(Readable.from([b]), undefined), (e: unknown) => isEngineError(e, 'InvalidParameter'), linkname);
    }
    outsideUntouched(f);
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store never chmods through a hardlink to a symlink', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 's', type: 'symlink', linkname: join(f.outside, 'file') } },
      { header: { name: 'h', type: 'link', linkname: 's', mode: 0o777 } },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    assert.equal(lstatSync(join(f.store.diffDir(r.chainId), 'h')).isSymbolicLink(), true);
    outsideUntouched(f);
  } finally {
    f.close();
  }
});

test('layer store turns OCI whiteouts into overlay whiteouts (recorded)', async () => {
  const f = fixture();
  try {
    const b = await makeTar([
      { header: { name: 'dir/', type: 'directory' } },
      { header: { name: 'dir/.wh..wh..opq' }, content: '' },
      { header: { name: 'gone/.wh.file' }, content: '' },
      { header: { name: '.wh..wh.plnk' }, content: '' },
      { header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 } },
      { header: { name: 'fifo', type: 'fifo' } },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.deepEqual(f.nodes, ['c 0/0 gone/file', 'c 1/3 dev/null', 'p fifo']);
    assert.deepEqual(f.xattrs.map((x) => [x.path, x.name, x.value.toString()]), [['dir', 'trusted.overlay.opaque', 'y']]);
    assert.equal(existsSync(join(d, '.wh..wh.plnk')), false);
  } finally {
    f.close();
  }
});

test('layer store applies binary xattrs from PAX headers byte for byte', async () => {
  const f = fixture();
  try {
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0x04, 0x00, 0x00, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const b = await makeTar([
      { header: { name: 'first' }, content: 'a'.repeat(700) },
      { header: { name: 'PaxHeaders/ping', type: 'pax-header' as const }, content: paxBody({ 'SCHILY.xattr.security.capability': cap, 'SCHILY.xattr.user.note': 'hé' }) },
      { header: { name: 'ping', mode: 0o755 }, content: 'elf' },
      { header: { name: 'after' }, content: 'b' },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    assert.equal(readFileSync(join(d, 'ping'), 'utf8'), 'elf');
    assert.deepEqual(
      f.xattrs.map((x) => [x.path, x.name, x.value.toString('hex')]),
      [
        ['ping', 'security.capability', cap.toString('hex')],
        ['ping', 'user.note', Buffer.from('hé').toString('hex')],
      ],
    );
  } finally {
    f.close();
  }
});

test('layer store rejects garbage and truncated tars and keeps nothing', async () => {
  const f = fixture();
  try {
    const good = await makeTar([{ header: { name: 'a' }, content: 'x'.repeat(2000) }]);
    for (const bad of [Buffer.from('this is not a tar archive at all'.repeat(40)), good.subarray(0, 1024), gzipSync(good).subarray(0, 30)]) {
      await assert.rejects(f.store.applyTar(Readable.from([bad]), undefined), (e: unknown) => isEngineError(e, 'InvalidParameter'));
    }
    assert.deepEqual(f.store.list(), []);
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store abort mid-stream leaves no layer and no temp dir', async () => {
  const f = fixture();
  try {
    const b = await makeTar([{ header: { name: 'a' }, content: 'x'.repeat(4096) }]);
    const slow = new Readable({ read() {} });
    slow.push(b.subarray(0, 1024));
    const ac = new AbortController();
    const p = f.store.applyTar(slow, undefined, ac.signal);
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(p);
    assert.deepEqual(f.store.list(), []);
    noTemp(f);
  } finally {
    f.close();
  }
});

test('layer store cleanupTemp removes unfinished unpacks and unknown dirs but keeps layers', async () => {
  const f = fixture();
  try {
    const b = await makeTar([{ header: { name: 'a' }, content: 'x' }]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    mkdirSync(join(f.root, 'layers', 'unpack.tmp-dead', 'diff'), { recursive: true });
    mkdirSync(join(f.root, 'layers', 'f'.repeat(64), 'diff'), { recursive: true });
    await f.store.cleanupTemp();
    assert.deepEqual(readdirSync(join(f.root, 'layers')), [r.chainId.slice(7)]);
  } finally {
    f.close();
  }
});

test('layer store makes real whiteouts and opaque xattrs as root', { skip: !asRoot && 'needs root' }, async () => {
  const f = fixture({ realSpecial: true });
  try {
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
    const b = await makeTar([
      { header: { name: 'dir/', type: 'directory' } },
      { header: { name: 'dir/.wh..wh..opq' }, content: '' },
      { header: { name: '.wh.gone' }, content: '' },
      { header: { name: 'PaxHeaders/ping', type: 'pax-header' as const }, content: paxBody({ 'SCHILY.xattr.security.capability': cap }) },
      { header: { name: 'ping', mode: 0o755 }, content: 'elf' },
      // A later hardlink must not chown the inode again: chown strips security.capability.
      { header: { name: 'ping6', type: 'link', linkname: 'ping', uid: 0, gid: 0 } },
    ]);
    const r = await f.store.applyTar(Readable.from([b]), undefined);
    const d = f.store.diffDir(r.chainId);
    const st = lstatSync(join(d, 'gone'));
    assert.ok(st.isCharacterDevice());
    assert.equal(st.rdev, 0);
    assert.equal((await getAttribute(join(d, 'dir'), 'trusted.overlay.opaque')).toString(), 'y');
    assert.equal((await getAttribute(join(d, 'ping'), 'security.capability')).toString('hex'), cap.toString('hex'));
  } finally {
    f.close();
  }
});

