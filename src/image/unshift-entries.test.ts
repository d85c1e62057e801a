import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import { shiftCapabilityXattr } from '../storage/file-caps.js';
import { unshiftEntries } from './unshift-entries.js';

const map = {
  uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
};
const entry = (uid: number, gid: number, xattrs?: Map<string, Buffer>): TarEntry => ({ name: 'f', type: 'file', mode: 0o644, uid, gid, mtime: 0, size: 0, ...(xattrs ? { xattrs } : {}) });

test('unshiftEntries gives a remapped container its own ids back, unmapped ones as nobody', () => {
  const out = unshiftEntries([entry(100000, 200000), entry(101000, 200050), entry(0, 5)], map);
  assert.deepEqual(out.map((e) => [e.uid, e.gid]), [[0, 0], [1000, 50], [65534, 65534]]);
});

test('unshiftEntries turns a v3 capability of the container root back into v2, byte for byte', () => {
  const v2 = Buffer.alloc(20);
  v2.writeUInt32LE(0x02000001, 0); // rev 2, effective
  v2.writeUInt32LE(1 << 13, 4); // cap_net_raw permitted
  const v3 = shiftCapabilityXattr(v2, (r) => (r === 0 ? 100000 : undefined));
  assert.equal(v3.length, 24);
  const [back] = unshiftEntries([entry(100000, 200000, new Map([['security.capability', v3]]))], map);
  assert.deepEqual(back?.xattrs?.get('security.capability'), v2);
  const other = shiftCapabilityXattr(v2, () => 300000); // another namespace's root: left alone
  const [kept] = unshiftEntries([entry(100000, 200000, new Map([['security.capability', other]]))], map);
  assert.deepEqual(kept?.xattrs?.get('security.capability'), other);
});
