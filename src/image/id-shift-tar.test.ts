import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import { hostOwnerShift, unshiftEntryStream } from './id-shift-tar.js';

const map = {
  uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
};
const entry = (name: string, uid: number, gid: number): TarEntry => ({ name, type: 'file', mode: 0o644, uid, gid, mtime: 0, size: 0 });

async function* from(entries: TarEntry[]): AsyncGenerator<TarEntry> {
  for (const e of entries) yield e;
}
async function collect(it: AsyncIterable<TarEntry>): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

test('hostOwnerShift puts archive owners into the container mapping', () => {
  const shift = hostOwnerShift(map);
  assert.deepEqual(shift(0, 0), { uid: 100000, gid: 200000 });
  assert.deepEqual(shift(1000, 50), { uid: 101000, gid: 200050 });
});

test('hostOwnerShift refuses ids the mapping does not cover, with dockerd wording', () => {
  const shift = hostOwnerShift(map);
  assert.throws(() => shift(70000, 0), /Container ID 70000 cannot be mapped to a host ID/);
  assert.throws(() => shift(0, 65536), /Container ID 65536 cannot be mapped to a host ID/);
});

test('hostOwnerShift keeps owners as they are without a mapping', () => {
  assert.deepEqual(hostOwnerShift(undefined)(4242, 7), { uid: 4242, gid: 7 });
});

test('unshiftEntryStream gives container ids back, unmapped host ids as nobody, names and order kept', async () => {
  const out = await collect(unshiftEntryStream(from([entry('a', 100000, 200000), entry('b', 101000, 200050), entry('c', 0, 0)]), map));
  assert.deepEqual(out.map((e) => [e.name, e.uid, e.gid]), [['a', 0, 0], ['b', 1000, 50], ['c', 65534, 65534]]);
});

test('unshiftEntryStream passes entries through untouched without a mapping', async () => {
  const out = await collect(unshiftEntryStream(from([entry('a', 100000, 5)]), undefined));
  assert.deepEqual(out.map((e) => [e.uid, e.gid]), [[100000, 5]]);
});
