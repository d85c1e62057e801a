import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRemappedRootAccess, ensurePool, resolveRemap, type IdFiles } from './remap-user.js';

function files(): { dir: string; f: IdFiles } {
  const dir = mkdtempSync(join(tmpdir(), 'remap-'));
  const f = { passwd: join(dir, 'passwd'), group: join(dir, 'group'), subuid: join(dir, 'subuid'), subgid: join(dir, 'subgid') };
  writeFileSync(f.passwd, 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
  writeFileSync(f.group, 'root:x:0:\nalice:x:1000:\nstaff:x:50:\n');
  writeFileSync(f.subuid, 'alice:100000:65536');
  writeFileSync(f.subgid, 'alice:100000:65536\nstaff:300000:65536\n');
  return { dir, f };
}

test('remap default adds the skiffremap user and a fresh subid range above the others', () => {
  const { dir, f } = files();
  try {
    const added: string[] = [];
    const map = resolveRemap('default', f, (name) => {
      added.push(name);
      appendFileSync(f.passwd, `${name}:x:999:995::/:/bin/false\n`);
      appendFileSync(f.group, `${name}:x:995:\n`);
    });
    assert.deepEqual(added, ['skiffremap']);
    assert.deepEqual(map.uidMappings, [{ containerID: 0, hostID: 165536, size: 65536 }]);
    assert.deepEqual(map.gidMappings, [{ containerID: 0, hostID: 365536, size: 65536 }]);
    assert.equal(readFileSync(f.subuid, 'utf8'), 'alice:100000:65536\nskiffremap:165536:65536\n');
    // Second start: nothing added again.
    const again = resolveRemap('default', f, () => assert.fail('user exists'));
    assert.deepEqual(again, map);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remap of a named user uses its ranges and refuses unknown users or missing ranges', () => {
  const { dir, f } = files();
  try {
    assert.deepEqual(resolveRemap('alice:staff', f).gidMappings, [{ containerID: 0, hostID: 300000, size: 65536 }]);
    assert.deepEqual(resolveRemap('1000', f).uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
    assert.throws(() => resolveRemap('bob', f), /cannot find the user "bob"/);
    assert.throws(() => resolveRemap('root', f), /no subuid ranges found for user "root"/);
    const pool = ensurePool('skiffauto', 65536 * 4, f);
    assert.deepEqual(pool.uids, [{ start: 165536, length: 262144 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a data root below a directory closed to others is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acc-'));
  try {
    const map = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
    mkdirSync(join(dir, 'closed', 'data'), { recursive: true });
    chmodSync(dir, 0o711);
    chmodSync(join(dir, 'closed'), 0o700);
    assert.throws(() => checkRemappedRootAccess(join(dir, 'closed', 'data'), map), /restricts access to the remapped root uid\/gid/);
    chmodSync(join(dir, 'closed'), 0o711);
    checkRemappedRootAccess(join(dir, 'closed', 'data'), map);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
