import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { runCommand } from '../../test/e2e/run-command.js';
import { makeBigRootfs, textMiB } from './big-rootfs.js';

describe('big rootfs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skb-rootfs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('textMiB is exactly 1 MiB, compressible, and differs per seed', () => {
    const a = textMiB(1);
    assert.equal(a.length, 1024 * 1024);
    assert.ok(gzipSync(a).length < a.length / 3);
    assert.notDeepEqual(a.subarray(0, 64), textMiB(2).subarray(0, 64));
  });

  it('makeBigRootfs adds the requested MiB of data files to the base rootfs', async () => {
    const base = join(dir, 'base');
    mkdirSync(join(base, 'bin'), { recursive: true });
    writeFileSync(join(base, 'bin', 'sh'), 'not really a shell');
    const baseTar = join(dir, 'base.tar');
    assert.equal((await runCommand('tar', ['-cf', baseTar, '-C', base, '.'])).code, 0);
    const out = await makeBigRootfs(baseTar, join(dir, 'big'), 3);
    const list = (await runCommand('tar', ['-tf', out])).stdout.split('\n');
    for (const f of ['./bin/sh', './data/f0', './data/f1', './data/f2']) assert.ok(list.includes(f), `${f} missing from ${list.join(',')}`);
    assert.ok(statSync(out).size >= 3 * 1024 * 1024);
  });
});
