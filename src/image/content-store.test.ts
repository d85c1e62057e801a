import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Of } from '../base/digest.js';
import { isEngineError } from '../base/engine-error.js';
import { ContentStore } from './content-store.js';

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'skiff-cs-'));
}

test('content store puts bytes under their sha256 and reads them back', async () => {
  const root = tempRoot();
  try {
    const cs = new ContentStore(root);
    const d = await cs.put(Buffer.from('hello'));
    assert.equal(d, sha256Of('hello'));
    assert.equal((await cs.get(d)).toString(), 'hello');
    assert.ok(await cs.has(d));
    assert.equal(cs.path(d), join(root, 'blobs', 'sha256', d.slice(7)));
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('content store accepts a stream and verifies the expected digest', async () => {
  const root = tempRoot();
  try {
    const cs = new ContentStore(root);
    const d = await cs.put(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), sha256Of('abcd'));
    assert.equal(d, sha256Of('abcd'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('content store rejects a digest mismatch and keeps nothing', async () => {
  const root = tempRoot();
  try {
    const cs = new ContentStore(root);
    await assert.rejects(cs.put(Buffer.from('x'), sha256Of('y')), (e: unknown) => isEngineError(e, 'InvalidParameter'));
    assert.equal(await cs.has(sha256Of('x')), false);
    assert.equal(await cs.has(sha256Of('y')), false);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('content store delete removes a blob and get of a missing blob is NotFound', async () => {
  const root = tempRoot();
  try {
    const cs = new ContentStore(root);
    const d = await cs.put('gone');
    await cs.delete(d);
    assert.equal(await cs.has(d), false);
    await assert.rejects(cs.get(d), (e: unknown) => isEngineError(e, 'NotFound'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('content store cleanupTemp removes stale temp files', async () => {
  const root = tempRoot();
  try {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'blob-stale'), 'half');
    const cs = new ContentStore(root);
    await cs.cleanupTemp();
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('content store aborted put leaves no temp file', async () => {
  const root = tempRoot();
  try {
    const cs = new ContentStore(root);
    const ac = new AbortController();
    const slow = new Readable({ read() {} });
    slow.push(Buffer.from('part'));
    const p = cs.put(slow, undefined, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
    assert.deepEqual(readdirSync(join(root, 'blobs', 'sha256')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
