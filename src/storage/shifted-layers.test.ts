import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShiftedLayers } from './shifted-layers.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'shl-'));
  for (const [hex, content] of [[A, 'top'], [B, 'bottom']] as const) {
    mkdirSync(join(root, 'layers', hex, 'diff'), { recursive: true });
    writeFileSync(join(root, 'layers', hex, 'diff', 'f'), content);
  }
  return { root, lowers: [join(root, 'layers', A, 'diff'), join(root, 'layers', B, 'diff')], remap: join(root, 'remap') };
}

test('shifted layers are copied once per mapping, in lower-dir order', async () => {
  const { root, lowers, remap } = fixture();
  try {
    const cache = new ShiftedLayers(remap);
    let copies = 0;
    const shift = async (src: string, dst: string) => {
      copies++;
      await cp(src, dst, { recursive: true });
    };
    const dirs = await cache.dirsFor(lowers, '100000.100000', shift);
    assert.deepEqual(dirs, [join(remap, '100000.100000', A, 'diff'), join(remap, '100000.100000', B, 'diff')]);
    assert.equal(readFileSync(join(dirs[0] ?? '', 'f'), 'utf8'), 'top');
    const again = await Promise.all([cache.dirsFor(lowers, '100000.100000', shift), cache.dirsFor(lowers, '100000.100000', shift)]);
    assert.deepEqual(again[0], dirs);
    assert.equal(copies, 2);
    await cache.dirsFor(lowers, '165536.165536', shift);
    assert.equal(copies, 4);
    assert.deepEqual(readdirSync(join(remap, '100000.100000')).sort(), [A, B]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a failed copy leaves nothing and cleanup drops unknown layers, keys and unfinished copies', async () => {
  const { root, lowers, remap } = fixture();
  try {
    const cache = new ShiftedLayers(remap);
    await assert.rejects(
      cache.dirsFor(lowers, '1.1', async (_s, dst) => {
        mkdirSync(dst);
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.deepEqual(readdirSync(join(remap, '1.1')), []);
    await cache.dirsFor(lowers, '1.1', (s, d) => cp(s, d, { recursive: true }));
    await cache.dirsFor(lowers, '2.2', (s, d) => cp(s, d, { recursive: true }));
    mkdirSync(join(remap, '1.1', `${A}.tmp-123`));
    await cache.cleanup(new Set([A]), new Set(['1.1']));
    assert.deepEqual(readdirSync(remap), ['1.1']);
    assert.deepEqual(readdirSync(join(remap, '1.1')), [A]);
    await cache.removeKey('1.1');
    assert.equal(existsSync(join(remap, '1.1')), false);
    assert.throws(() => cache.pathFor('/x/y/diff', '1.1'), /not a layer directory/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
