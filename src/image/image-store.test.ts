import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { sha256Of } from '../base/digest.js';
import { isEngineError } from '../base/engine-error.js';
import { shortId } from '../base/ids.js';
import { LayerStore } from '../storage/layer-store.js';
import { makeTar } from '../storage/testing/tar-fixture.js';
import { ContentStore } from './content-store.js';
import { ImageStore } from './image-store.js';
import { inspectShape, summaryShape } from './image-shapes.js';

interface Env {
  root: string;
  db: Database.Database;
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  close(): void;
}

function env(): Env {
  const root = mkdtempSync(join(tmpdir(), 'skiff-img-'));
  const db = new Database(join(root, 'skiff.db'));
  db.pragma('journal_mode = WAL');
  const content = new ContentStore(root);
  const layers = new LayerStore(root, db, {
    special: { mknod: async (p) => writeFileSync(p, ''), mkfifo: async (p) => writeFileSync(p, '') },
    setXattr: async () => {},
  });
  const images = new ImageStore(db, content, layers);
  return { root, db, content, layers, images, close: () => (db.close(), rmSync(root, { recursive: true, force: true })) };
}

const rootfs = (extra = '') =>
  makeTar([
    { header: { name: 'bin/', type: 'directory', mode: 0o755 } },
    { header: { name: 'bin/sh', mode: 0o755 }, content: `#!busybox${extra}` },
    { header: { name: 'etc/hostname' }, content: 'box\n' },
  ]);

const noUsers = () => undefined;

test('image store imports a rootfs tarball as a one-layer image with the changes applied', async () => {
  const e = env();
  try {
    const tar = await rootfs();
    const rec = await e.images.importImage(Readable.from([gzipSync(tar)]), { ref: 'busybox', changes: ['CMD ["sh"]', 'ENV A=1'] });
    assert.equal(rec.repoTags[0], 'docker.io/library/busybox:latest');
    assert.equal(rec.config.architecture, 'amd64');
    assert.equal(rec.config.os, 'linux');
    assert.deepEqual(rec.config.rootfs.diff_ids, [sha256Of(tar)]);
    assert.deepEqual(rec.config.config, { Cmd: ['sh'], Env: ['A=1'] });
    assert.equal(rec.config.comment, 'Imported from -');
    assert.equal(rec.config.history?.[0]?.comment, 'Imported from -');
    assert.equal(rec.size, '#!busybox'.length + 'box\n'.length);
    const blob = await e.content.get(rec.id);
    assert.equal(sha256Of(blob), rec.id);
    assert.deepEqual(JSON.parse(blob.toString()), rec.config);
    assert.deepEqual(e.images.layerDirs(rec.id), [join(e.root, 'layers', sha256Of(tar).slice(7), 'diff')]);
    assert.ok(existsSync(join(e.images.layerDirs(rec.id)[0] as string, 'bin/sh')));
  } finally {
    e.close();
  }
});

test('image store import uses the message as comment and rejects bad changes before reading', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { message: 'hello' });
    assert.equal(rec.config.comment, 'hello');
    assert.deepEqual(rec.repoTags, []);
    await assert.rejects(
      e.images.importImage(Readable.from([await rootfs('x')]), { changes: ['RUN true'] }),
      (err: unknown) => isEngineError(err, 'InvalidParameter') && err.message === 'run is not a valid change command',
    );
    await assert.rejects(e.images.importImage(Readable.from([await rootfs('y')]), { ref: 'Bad' }), (err: unknown) => isEngineError(err, 'InvalidParameter'));
    assert.equal(e.images.list().length, 1);
    assert.equal(e.layers.list().length, 1);
  } finally {
    e.close();
  }
});

test('image store resolves by name, full ID, hex ID, prefix and sha256 prefix', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'alice/app:1' });
    const hex = rec.id.slice(7);
    for (const q of ['alice/app:1', 'docker.io/alice/app:1', rec.id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 5)}`]) {
      assert.equal(e.images.resolve(q).id, rec.id, q);
    }
  } finally {
    e.close();
  }
});

test('image store NotFound names the familiar reference with its default tag', async () => {
  const e = env();
  try {
    const check = (q: string, msg: string) =>
      assert.throws(() => e.images.resolve(q), (err: unknown) => isEngineError(err, 'NotFound') && err.message === msg, q);
    check('nosuch', 'No such image: nosuch:latest');
    check('docker.io/library/nosuch:2', 'No such image: nosuch:2');
    check('localhost:5000/x', 'No such image: localhost:5000/x:latest');
    check('f'.repeat(64), `No such image: sha256:${'f'.repeat(64)}`);
    assert.throws(() => e.images.resolve('Bad'), (err: unknown) => isEngineError(err, 'InvalidParameter'));
  } finally {
    e.close();
  }
});

test('image store treats an ambiguous ID prefix as not found', async () => {
  const e = env();
  try {
    const cfg = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    for (const id of [`sha256:abcd1${'0'.repeat(59)}`, `sha256:abcd2${'0'.repeat(59)}`] as const) {
      e.images.records.insertImage({ id, configJson: cfg, parentId: '', size: 0, createdAt: 1 });
    }
    assert.equal(e.images.resolve('abcd1').id, `sha256:abcd1${'0'.repeat(59)}`);
    assert.throws(() => e.images.resolve('abcd'), (err: unknown) => isEngineError(err, 'NotFound') && err.message === 'No such image: abcd:latest');
  } finally {
    e.close();
  }
});

test('image store tags and untags with normalised references', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    e.images.tag('busybox', 'localhost:5000/bb:1');
    e.images.tag(rec.id.slice(7, 19), 'docker.io/alice/bb');
    assert.deepEqual(e.images.resolve('busybox').repoTags.sort(), [
      'docker.io/alice/bb:latest',
      'docker.io/library/busybox:latest',
      'localhost:5000/bb:1',
    ]);
    assert.ok(e.images.resolve('busybox').lastTagTime);
    assert.throws(() => e.images.tag('busybox', 'UPPER'), (err: unknown) => isEngineError(err, 'InvalidParameter'));
    assert.throws(() => e.images.tag('busybox', `x@sha256:${'a'.repeat(64)}`), /refusing to create a tag with a digest reference/);
    assert.throws(() => e.images.tag('nosuch', 'x'), (err: unknown) => isEngineError(err, 'NotFound'));
    assert.equal(e.images.untag('alice/bb'), 'alice/bb:latest');
    assert.throws(() => e.images.untag('alice/bb'), (err: unknown) => isEngineError(err, 'NotFound'));
  } finally {
    e.close();
  }
});

test('image store remove by name with other tags only untags', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    e.images.tag('busybox', 'other:1');
    assert.deepEqual(await e.images.remove('other:1', {}, noUsers), [{ Untagged: 'other:1' }]);
    assert.equal(e.images.resolve(rec.id).repoTags.length, 1);
  } finally {
    e.close();
  }
});

test('image store remove by ID with several tags needs force, then deletes image, blob and layer', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    e.images.tag('busybox', 'other:1');
    const short = shortId(rec.id);
    await assert.rejects(
      e.images.remove(short, {}, noUsers),
      (err: unknown) =>
        isEngineError(err, 'Conflict') && err.message === `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
    );
    const chain = rec.config.rootfs.diff_ids[0] as string;
    const out = await e.images.remove(short, { force: true }, noUsers);
    assert.deepEqual(out, [{ Untagged: 'busybox:latest' }, { Untagged: 'other:1' }, { Deleted: rec.id }, { Deleted: chain }]);
    assert.deepEqual(e.images.list(), []);
    assert.equal(await e.content.has(rec.id), false);
    assert.deepEqual(readdirSync(join(e.root, 'layers')), []);
  } finally {
    e.close();
  }
});

test('image store remove by the only name deletes the image', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    const out = await e.images.remove('busybox', {}, noUsers);
    assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: rec.id }]);
  } finally {
    e.close();
  }
});

test('image store remove refuses an image used by a stopped container unless forced', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    const ctr = 'c'.repeat(64);
    const stopped = () => ({ containerId: ctr, running: false });
    await assert.rejects(
      e.images.remove('busybox', {}, stopped),
      (err: unknown) =>
        isEngineError(err, 'Conflict') &&
        err.message === `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${shortId(rec.id)}`,
    );
    await assert.rejects(
      e.images.remove(rec.id, {}, stopped),
      (err: unknown) => isEngineError(err, 'Conflict') && err.message === `conflict: unable to delete ${shortId(rec.id)} (must be forced) - image is being used by stopped container cccccccccccc`,
    );
    const out = await e.images.remove('busybox', { force: true }, stopped);
    assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: rec.id }]);
  } finally {
    e.close();
  }
});

test('image store never deletes an image a running container uses', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox' });
    const running = () => ({ containerId: 'd'.repeat(64), running: true });
    await assert.rejects(
      e.images.remove(rec.id, { force: true }, running),
      (err: unknown) =>
        isEngineError(err, 'Conflict') &&
        err.message === `conflict: unable to delete ${shortId(rec.id)} (cannot be forced) - image is being used by running container dddddddddddd`,
    );
    // By name with force: the tag goes, the image quietly stays (Docker's behaviour).
    assert.deepEqual(await e.images.remove('busybox', { force: true }, running), [{ Untagged: 'busybox:latest' }]);
    assert.equal(e.images.resolve(rec.id).repoTags.length, 0);
  } finally {
    e.close();
  }
});

test('image store keeps a layer another image still uses', async () => {
  const e = env();
  try {
    const tar = await rootfs();
    const a = await e.images.importImage(Readable.from([tar]), { ref: 'a', changes: ['CMD a'] });
    const b = await e.images.importImage(Readable.from([tar]), { ref: 'b', changes: ['CMD b'] });
    assert.notEqual(a.id, b.id);
    assert.deepEqual(await e.images.remove('a', {}, noUsers), [{ Untagged: 'a:latest' }, { Deleted: a.id }]);
    assert.equal(e.layers.list().length, 1);
    assert.ok(existsSync(e.images.layerDirs(b.id)[0] as string));
  } finally {
    e.close();
  }
});

test('image store refuses to delete an image with children', async () => {
  const e = env();
  try {
    const parent = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'base' });
    const child = await e.images.createImage({ ...parent.config, config: { Cmd: ['x'] } }, { parentId: parent.id, tags: ['docker.io/library/child:latest'] });
    await assert.rejects(e.images.remove(parent.id, { force: true }, noUsers), /cannot be forced\) - image has dependent child images/);
    // Removing the child prunes the (now untagged) parent too, unless noPrune.
    e.images.untag('base');
    const out = await e.images.remove('child', {}, noUsers);
    assert.deepEqual(out.filter((x) => 'Deleted' in x).slice(0, 2), [{ Deleted: child.id }, { Deleted: parent.id }]);
  } finally {
    e.close();
  }
});

test('image store history lists newest first with the image ID on top', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox', message: 'm' });
    const h = e.images.history('busybox');
    assert.equal(h.length, 1);
    assert.deepEqual(h[0], {
      Id: rec.id,
      Created: Math.floor(new Date(rec.config.created as string).getTime() / 1000),
      CreatedBy: '',
      Tags: ['busybox:latest'],
      Size: rec.size,
      Comment: 'm',
    });
  } finally {
    e.close();
  }
});

test('image store aborted import leaves no record, layer or temp file', async () => {
  const e = env();
  try {
    const tar = await rootfs();
    const slow = new Readable({ read() {} });
    slow.push(tar.subarray(0, 700));
    const ac = new AbortController();
    const p = e.images.importImage(slow, { ref: 'x', signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(p);
    assert.deepEqual(e.images.list(), []);
    assert.deepEqual(e.layers.list(), []);
    assert.deepEqual(readdirSync(join(e.root, 'layers')), []);
  } finally {
    e.close();
  }
});

test('image store startup cleanup removes stale temp dirs, temp files and orphan layers', async () => {
  const e = env();
  try {
    const tar = await rootfs();
    const orphan = await e.layers.applyTar(Readable.from([tar]), undefined);
    mkdirSync(join(e.root, 'layers', 'unpack.tmp-1234', 'diff'), { recursive: true });
    mkdirSync(join(e.root, 'tmp'), { recursive: true });
    writeFileSync(join(e.root, 'tmp', 'blob-half'), 'x');
    await e.images.cleanupTemp();
    assert.deepEqual(readdirSync(join(e.root, 'tmp')), []);
    assert.deepEqual(readdirSync(join(e.root, 'layers')), []);
    assert.equal(e.layers.get(orphan.chainId), undefined);
  } finally {
    e.close();
  }
});

test('image shapes give Docker inspect and summary bodies', async () => {
  const e = env();
  try {
    const rec = await e.images.importImage(Readable.from([await rootfs()]), { ref: 'busybox', changes: ['LABEL a=b'] });
    const dirs = e.images.layerDirs(rec.id);
    const ins = inspectShape(e.images.resolve('busybox'), dirs);
    assert.deepEqual(e.images.inspectShape(e.images.resolve('busybox')), ins);
    assert.equal(ins.Id, rec.id);
    assert.deepEqual(ins.RepoTags, ['busybox:latest']);
    assert.deepEqual(ins.RepoDigests, []);
    assert.equal(ins.Comment, 'Imported from -');
    assert.match(ins.Created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(ins.Config, { User: '', Env: null, Cmd: null, Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: { a: 'b' } });
    assert.deepEqual(ins.RootFS, { Type: 'layers', Layers: rec.config.rootfs.diff_ids });
    assert.deepEqual(ins.GraphDriver, {
      Name: 'overlay2',
      Data: { MergedDir: dirs[0]?.replace(/diff$/, 'merged'), UpperDir: dirs[0], WorkDir: dirs[0]?.replace(/diff$/, 'work') },
    });
    const sum = summaryShape(rec);
    assert.deepEqual(
      { ...sum, Created: 0 },
      { Id: rec.id, ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: 0, Size: rec.size, SharedSize: -1, Labels: { a: 'b' }, Containers: -1 },
    );
    assert.equal(typeof sum.Created, 'number');
  } finally {
    e.close();
  }
});
