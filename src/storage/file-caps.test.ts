import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shiftCapabilityXattr } from './file-caps.js';

function v2(effective: boolean, permLo: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE((0x02000000 | (effective ? 1 : 0)) >>> 0, 0);
  b.writeUInt32LE(permLo, 4);
  return b;
}

test('file caps v2 become v3 carrying the mapped root uid', () => {
  const out = shiftCapabilityXattr(v2(true, 1 << 13), (r) => (r === 0 ? 100000 : undefined));
  assert.equal(out.length, 24);
  assert.equal(out.readUInt32LE(0), 0x03000001);
  assert.equal(out.readUInt32LE(4), 1 << 13);
  assert.equal(out.readUInt32LE(20), 100000);
});

test('file caps v3 have their rootid mapped and junk is kept as it is', () => {
  const v3 = Buffer.alloc(24);
  v3.writeUInt32LE(0x03000000, 0);
  v3.writeUInt32LE(7, 20);
  assert.equal(shiftCapabilityXattr(v3, (r) => r + 100000).readUInt32LE(20), 100007);
  const junk = Buffer.from([1, 2, 3, 4, 5]);
  assert.equal(shiftCapabilityXattr(junk, () => 1), junk);
  // A root the mapping does not know: unchanged (the kernel will ignore it, as before).
  const orig = v2(false, 1);
  assert.equal(shiftCapabilityXattr(orig, () => undefined), orig);
});
