import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { directorySize } from './disk-usage.js';

describe('directorySize', () => {
  const roots: string[] = [];
  const fresh = async () => {
    const d = await mkdtemp(join(tmpdir(), 'du-'));
    roots.push(d);
    return d;
  };
  after(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it('directorySize adds the bytes of files in nested directories', async () => {
    const d = await fresh();
    await mkdir(join(d, 'a/b'), { recursive: true });
    await writeFile(join(d, 'one'), Buffer.alloc(100));
    await writeFile(join(d, 'a/b/two'), Buffer.alloc(2500));
    assert.equal(await directorySize(d), 2600);
  });

  it('directorySize counts a hard-linked file once', async () => {
    const d = await fresh();
    await writeFile(join(d, 'f'), Buffer.alloc(4096));
    await link(join(d, 'f'), join(d, 'g'));
    assert.equal(await directorySize(d), 4096);
  });

  it('directorySize counts a symlink by its own length, not its target', async () => {
    const d = await fresh();
    await writeFile(join(d, 'big'), Buffer.alloc(10_000));
    await symlink('big', join(d, 'ln'));
    assert.equal(await directorySize(d), 10_003);
  });

  it('directorySize of a missing directory is zero', async () => {
    const d = await fresh();
    assert.equal(await directorySize(join(d, 'nope')), 0);
  });

  it('directorySize walks more entries than one batch', async () => {
    const d = await fresh();
    await Promise.all(Array.from({ length: 150 }, (_, i) => writeFile(join(d, `f${i}`), 'xy')));
    assert.equal(await directorySize(d), 300);
  });

  it('directorySize stops when its signal is aborted', async () => {
    const d = await fresh();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(directorySize(d, ac.signal));
  });
});
