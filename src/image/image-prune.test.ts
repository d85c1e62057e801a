import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { LayerStore } from '../storage/layer-store.js';
import { makeTar } from '../storage/testing/tar-fixture.js';
import { ContentStore } from './content-store.js';
import type { ImageConfig, ImageRecord } from './image-config.js';
import { type ImagePruneFilters, pruneCandidates, pruneImages } from './image-prune.js';
import { ImageStore } from './image-store.js';

const all: ImagePruneFilters = { danglingOnly: false, labels: [], notLabels: [] };
const dangling: ImagePruneFilters = { ...all, danglingOnly: true };

function rec(id: string, over: Partial<ImageRecord> = {}, labels?: Record<string, string>): ImageRecord {
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: labels ? { Labels: labels } : {} };
  return { id: `sha256:${id}`, config, repoTags: [], repoDigests: [], parentId: '', size: 0, createdAt: 0, ...over } as ImageRecord;
}

const ids = (rs: ImageRecord[]) => rs.map((r) => r.id.slice(7));

test('pruneCandidates with dangling only picks untagged heads nobody uses, newest first', () => {
  const records = [
    rec('tagged', { repoTags: ['docker.io/library/a:latest'], createdAt: 1 }),
    rec('old', { createdAt: 2 }),
    rec('new', { createdAt: 5 }),
    rec('digestonly', { repoDigests: ['docker.io/library/a@sha256:' + 'f'.repeat(64)], createdAt: 3 }),
    rec('parent', { createdAt: 0 }),
    rec('used', { createdAt: 4 }),
  ];
  const children = (id: string) => id === 'sha256:parent';
  const usage = (id: string) => (id === 'sha256:used' ? { containerId: 'c', running: false } : undefined);
  assert.deepEqual(ids(pruneCandidates(records, dangling, children, usage)), ['new', 'digestonly', 'old']);
  // -a: tagged images too, still never an intermediate (untagged with a child) or a used one.
  assert.deepEqual(ids(pruneCandidates(records, all, children, usage)), ['new', 'digestonly', 'old', 'tagged']);
});

test('pruneCandidates applies label, label! and until filters', () => {
  const records = [
    rec('a', { createdAt: 10 }, { env: 'dev', keep: '' }),
    rec('b', { createdAt: 20 }, { env: 'dev' }),
    rec('c', { createdAt: 30 }, { env: 'prod' }),
  ];
  const none = () => false;
  const unused = () => undefined;
  assert.deepEqual(ids(pruneCandidates(records, { ...all, labels: ['env=dev'] }, none, unused)), ['b', 'a']);
  assert.deepEqual(ids(pruneCandidates(records, { ...all, labels: ['env'], notLabels: ['keep'] }, none, unused)), ['c', 'b']);
  assert.deepEqual(ids(pruneCandidates(records, { ...all, until: 20 }, none, unused)), ['a']);
});

function store() {
  const root = mkdtempSync(join(tmpdir(), 'skiff-prune-'));
  const db = new Database(join(root, 'skiff.db'));
  const layers = new LayerStore(root, db, {
    special: { mknod: async (p) => writeFileSync(p, ''), mkfifo: async (p) => writeFileSync(p, '') },
    setXattr: async () => {},
  });
  const images = new ImageStore(db, new ContentStore(root), layers);
  return { images, close: () => (db.close(), rmSync(root, { recursive: true, force: true })) };
}

test('pruneImages deletes dangling images with their untagged parents and keeps tagged and used ones', async () => {
  const s = store();
  try {
    const tar = await makeTar([{ header: { name: 'f' }, content: 'x' }]);
    const base = await s.images.importImage(Readable.from([tar]), { ref: 'base' });
    const cfg = (n: string): ImageConfig => ({ ...base.config, created: new Date(Date.now() + Number(n)).toISOString(), comment: n });
    const mid = await s.images.createImage(cfg('1'), { parentId: base.id });
    const head = await s.images.createImage(cfg('2'), { parentId: mid.id });
    const used = await s.images.createImage(cfg('3'));
    const usage = (id: string) => (id === used.id ? { containerId: 'c'.repeat(64), running: true } : undefined);

    const r = await pruneImages(s.images, dangling, usage);
    assert.deepEqual(r.imageIds.sort(), [head.id, mid.id].sort());
    assert.deepEqual(r.deleted.filter((d) => 'Deleted' in d).map((d) => ('Deleted' in d ? d.Deleted : '')).slice(0, 2), [head.id, mid.id]);
    assert.deepEqual(s.images.list().map((i) => i.id).sort(), [base.id, used.id].sort());

    const again = await pruneImages(s.images, all, usage);
    assert.deepEqual(again.imageIds, [base.id]);
    assert.deepEqual(again.deleted[0], { Untagged: 'base:latest' });
    assert.deepEqual(s.images.list().map((i) => i.id), [used.id]);
  } finally {
    s.close();
  }
});
