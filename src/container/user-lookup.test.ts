import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import { parseGroup, parsePasswd, resolveUser, type RootfsReader } from './user-lookup.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
alice:x:1000:1000:Alice:/home/alice:/bin/sh

bob:x:1001:100::/home/bob:/bin/sh
nohome:x:1002:1002:::/bin/sh
`;
const GROUP = `root:x:0:
wheel:x:10:root,alice
staff:x:50:alice,bob
users:x:100:
alice:x:1000:
docker:x:999:bob,alice
`;

function rootfs(files: Record<string, string>): RootfsReader & { reads: string[] } {
  const reads: string[] = [];
  const reader = (path: string): string | undefined => {
    reads.push(path);
    return files[path];
  };
  return Object.assign(reader, { reads });
}

const full = rootfs({ '/etc/passwd': PASSWD, '/etc/group': GROUP });

test('resolveUser empty spec is root with root’s groups and home', () => {
  assert.deepEqual(resolveUser('', full), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
});

test('resolveUser reads /etc/passwd and /etc/group through the injected reader', () => {
  const r = rootfs({ '/etc/passwd': PASSWD, '/etc/group': GROUP });
  resolveUser('alice', r);
  assert.deepEqual(r.reads.sort(), ['/etc/group', '/etc/passwd']);
});

test('resolveUser by name gives uid, primary gid, membership groups and home', () => {
  assert.deepEqual(resolveUser('alice', full), { uid: 1000, gid: 1000, additionalGids: [10, 50, 999], home: '/home/alice' });
  assert.deepEqual(resolveUser('bob', full), { uid: 1001, gid: 100, additionalGids: [50, 999], home: '/home/bob' });
});

test('resolveUser by known uid behaves like by name', () => {
  assert.deepEqual(resolveUser('1000', full), { uid: 1000, gid: 1000, additionalGids: [10, 50, 999], home: '/home/alice' });
});

test('resolveUser numeric uid needs no passwd entry', () => {
  assert.deepEqual(resolveUser('4242', full), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  assert.deepEqual(resolveUser('4242', rootfs({})), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
});

test('resolveUser uid:gid numeric needs no entries', () => {
  assert.deepEqual(resolveUser('1000:1000', rootfs({})), { uid: 1000, gid: 1000, additionalGids: [], home: '/' });
  assert.deepEqual(resolveUser('5000:6000', full), { uid: 5000, gid: 6000, additionalGids: [], home: '/' });
});

test('resolveUser explicit group replaces the primary gid and drops membership groups', () => {
  assert.deepEqual(resolveUser('alice:staff', full), { uid: 1000, gid: 50, additionalGids: [], home: '/home/alice' });
  assert.deepEqual(resolveUser('1000:staff', full), { uid: 1000, gid: 50, additionalGids: [], home: '/home/alice' });
  assert.deepEqual(resolveUser('alice:999', full), { uid: 1000, gid: 999, additionalGids: [], home: '/home/alice' });
  assert.deepEqual(resolveUser('alice:7777', full), { uid: 1000, gid: 7777, additionalGids: [], home: '/home/alice' });
});

test('resolveUser ignores anything after a second colon', () => {
  assert.deepEqual(resolveUser('alice:staff:junk', full), resolveUser('alice:staff', full));
});

test('resolveUser unknown name fails with runc wording', () => {
  assert.throws(
    () => resolveUser('carol', full),
    (err: unknown) =>
      isEngineError(err, 'InvalidParameter') && err.message === 'unable to find user carol: no matching entries in passwd file',
  );
  assert.throws(() => resolveUser('alice', rootfs({})), /unable to find user alice: no matching entries in passwd file/);
});

test('resolveUser unknown group name fails', () => {
  assert.throws(() => resolveUser('alice:nogroup', full), /unable to find group nogroup: no matching entries in group file/);
  assert.throws(() => resolveUser('1000:staff', rootfs({ '/etc/passwd': PASSWD })), /unable to find group staff/);
});

test('resolveUser rejects ids out of range', () => {
  assert.throws(() => resolveUser('2147483648', full), /uids and gids must be in range 0-2147483647/);
  assert.throws(() => resolveUser('1:-1', full), /uids and gids must be in range/);
});

test('resolveUser falls back to / for an empty home', () => {
  assert.equal(resolveUser('nohome', full).home, '/');
});

test('resolveUser with no passwd at all is root with home /', () => {
  assert.deepEqual(resolveUser('', rootfs({})), { uid: 0, gid: 0, additionalGids: [], home: '/' });
});

test('resolveUser first matching passwd entry wins', () => {
  const dup = rootfs({ '/etc/passwd': 'x:x:1:1::/a:/bin/sh\nx:x:2:2::/b:/bin/sh\n' });
  assert.equal(resolveUser('x', dup).uid, 1);
});

test('resolveUser groupAdd appends named and numeric groups without duplicates', () => {
  assert.deepEqual(resolveUser('alice', full, ['users', '4000', 'staff']).additionalGids, [10, 50, 999, 100, 4000]);
  assert.deepEqual(resolveUser('alice:staff', full, ['docker']).additionalGids, [999]);
  assert.throws(() => resolveUser('', full, ['nosuch']), /Unable to find group nosuch/);
});

test('parsePasswd and parseGroup read fields and tolerate short lines', () => {
  assert.deepEqual(parsePasswd('a:x:5:6:g:/h:/s\nshort\n'), [
    { name: 'a', uid: 5, gid: 6, home: '/h' },
    { name: 'short', uid: 0, gid: 0, home: '' },
  ]);
  assert.deepEqual(parseGroup('g:x:7:a,b,\nh:x:8\n'), [
    { name: 'g', gid: 7, members: ['a', 'b'] },
    { name: 'h', gid: 8, members: [] },
  ]);
});
