import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chownSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getAttribute, setAttribute } from 'fs-xattr';
import { idShiftFor } from '../container/id-mapping.js';
import { spawnSpecialFileMaker } from '../storage/special-files.js';
import { chownIfFresh, copyShiftedTree } from './shift-tree.js';

const root = process.getuid?.() === 0;
const map = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }] };

test('shifted tree copy moves owners, keeps modes, links, whiteouts and opaque markers', { skip: !root && 'needs root (chown, mknod, trusted xattrs)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shift-'));
  try {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'etc', 'opq'), { recursive: true });
    writeFileSync(join(src, 'etc', 'passwd'), 'root:x:0:0\n');
    chownSync(join(src, 'etc', 'passwd'), 1000, 50);
    chmodSync(join(src, 'etc', 'passwd'), 0o4755); // after chown, which clears set-id bits
    linkSync(join(src, 'etc', 'passwd'), join(src, 'etc', 'hard'));
    symlinkSync('passwd', join(src, 'etc', 'link'));
    await setAttribute(join(src, 'etc', 'opq'), 'trusted.overlay.opaque', 'y');
    await spawnSpecialFileMaker.mknod(join(src, 'gone'), 'c', 0, 0, 0o600);
    const dst = join(dir, 'dst');
    await copyShiftedTree(src, dst, idShiftFor(map));

    const pw = statSync(join(dst, 'etc', 'passwd'));
    assert.deepEqual([pw.uid, pw.gid, pw.mode & 0o7777], [101000, 200050, 0o4755]);
    assert.equal(readFileSync(join(dst, 'etc', 'passwd'), 'utf8'), 'root:x:0:0\n');
    assert.equal(statSync(join(dst, 'etc', 'hard')).ino, pw.ino);
    const link = lstatSync(join(dst, 'etc', 'link'));
    assert.ok(link.isSymbolicLink());
    assert.deepEqual([link.uid, link.gid], [100000, 200000]);
    const wh = lstatSync(join(dst, 'gone'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
    assert.equal(wh.uid, 100000);
    assert.equal((await getAttribute(join(dst, 'etc', 'opq'), 'trusted.overlay.opaque')).toString(), 'y');
    assert.equal(statSync(dst).uid, 100000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chownIfFresh gives only empty host-root directories away', { skip: !root && 'needs root (chown)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fresh-'));
  try {
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), '');
    assert.equal(await chownIfFresh(join(dir, 'empty'), 100000, 100000), true);
    assert.equal(statSync(join(dir, 'empty')).uid, 100000);
    assert.equal(await chownIfFresh(join(dir, 'full'), 100000, 100000), false);
    assert.equal(statSync(join(dir, 'full')).uid, 0);
    assert.equal(await chownIfFresh(join(dir, 'empty'), 5, 5), false); // no longer root's
    assert.deepEqual(readdirSync(dir).sort(), ['empty', 'full']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
