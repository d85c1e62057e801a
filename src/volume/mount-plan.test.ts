import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inheritedMounts, parseBindSpec, parseMountObject, parseTmpfsEntry, planMounts } from './mount-plan.js';

let n = 0;
const name = () => `anon${++n}`;
const exists = (p: string) => p === '/srv' || p === '/';

test('parseBindSpec reads host paths, named volumes and anonymous volumes as Docker does', () => {
  assert.deepEqual(parseBindSpec('/srv:/data:ro', name), {
    type: 'bind', source: '/srv', destination: '/data', readOnly: true, mode: 'ro', propagation: 'rprivate', createHostPath: true,
  });
  assert.deepEqual(parseBindSpec('cache:/c', name), { type: 'volume', source: 'cache', destination: '/c', readOnly: false, mode: 'z', propagation: '' });
  const anon = parseBindSpec('/only', name);
  assert.equal(anon.type, 'volume');
  assert.equal(anon.anonymous, true);
  assert.match(anon.source, /^anon\d+$/);
  assert.equal(parseBindSpec('/h:/c:rshared,Z', name).propagation, 'rshared');
  assert.equal(parseBindSpec('vv:/c:nocopy', name).noCopy, true);
});

test('parseBindSpec refuses bad modes, relative targets, "/" and bad volume names', () => {
  assert.throws(() => parseBindSpec('/a:/b:bogus', name), /invalid mode: bogus/);
  assert.throws(() => parseBindSpec('/a:/b:ro,rw', name), /invalid mode/);
  assert.throws(() => parseBindSpec('/a:rel', name), /mount path must be absolute/);
  assert.throws(() => parseBindSpec('/a:/', name), /destination can't be '\/'/);
  assert.throws(() => parseBindSpec('bad name:/x', name), /invalid characters for a local volume name/);
  assert.throws(() => parseBindSpec('a:b:c:d', name), /invalid volume specification/);
});

test('parseMountObject validates --mount with dockerd wording and refuses unknown options', () => {
  assert.throws(() => parseMountObject({ Type: 'bind', Source: '/missing', Target: '/x' }, exists, name), {
    message: 'invalid mount config for type "bind": bind source path does not exist: /missing',
  });
  assert.throws(() => parseMountObject({ Type: 'bind', Source: '/srv', Target: '/x', Bogus: 1 }, exists, name), /unknown option "Bogus"/);
  assert.throws(() => parseMountObject({ Type: 'nfs', Target: '/x' }, exists, name), /mount type unknown/);
  assert.throws(() => parseMountObject({ Type: 'volume', Target: '/x', BindOptions: {} }, exists, name), /BindOptions must not be specified/);
  assert.throws(() => parseMountObject({ Type: 'tmpfs', Source: 'x', Target: '/x' }, exists, name), /Source must not be specified/);
  const root = parseMountObject({ Type: 'bind', Source: '/', Target: '/host' }, exists, name);
  assert.equal(root.readOnly, false); // binding / read-write is allowed
  const vol = parseMountObject({ Type: 'volume', Source: 'data', Target: '/d', ReadOnly: true, VolumeOptions: { NoCopy: true, Labels: { a: 'b' } } }, exists, name);
  assert.deepEqual(vol, { type: 'volume', source: 'data', destination: '/d', readOnly: true, mode: '', propagation: '', noCopy: true, volumeLabels: { a: 'b' } });
  const t = parseMountObject({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o700 } }, exists, name);
  assert.equal(t.tmpfsSize, 1024);
  assert.equal(t.tmpfsMode, 0o700);
});

test('parseTmpfsEntry reads size, mode and flags', () => {
  const t = parseTmpfsEntry('/run', 'size=64m,mode=1770,exec');
  assert.equal(t.tmpfsSize, 64 * 1024 * 1024);
  assert.equal(t.tmpfsMode, 0o1770);
  assert.deepEqual(t.tmpfsOptions, ['exec']);
  assert.throws(() => parseTmpfsEntry('/run', 'bogus=1'), /invalid tmpfs option/);
});

test('planMounts lets explicit mounts win over image volumes and refuses a doubled destination', () => {
  const plan = planMounts({ binds: ['/srv:/data'], mounts: [], tmpfs: {}, volumes: ['/data', '/logs'], hostPathExists: exists, newVolumeName: name });
  assert.deepEqual(plan.map((m) => [m.destination, m.type, m.anonymous === true]), [['/data', 'bind', false], ['/logs', 'volume', true]]);
  assert.throws(
    () => planMounts({ binds: ['/srv:/data'], mounts: [{ Type: 'volume', Target: '/data' }], tmpfs: {}, volumes: [], hostPathExists: exists, newVolumeName: name }),
    /Duplicate mount point: \/data/,
  );
});

test('planMounts lets own mounts replace --volumes-from ones at the same destination', () => {
  const lent = inheritedMounts([{ type: 'volume', source: 'x', destination: '/a', readOnly: false, mode: '', propagation: '' }, { type: 'tmpfs', source: '', destination: '/t', readOnly: false, mode: '', propagation: '' }], 'ro');
  assert.deepEqual(lent.map((m) => [m.destination, m.readOnly]), [['/a', true]]);
  const plan = planMounts({ binds: ['/srv:/a'], mounts: [], tmpfs: {}, volumes: [], inherited: lent, hostPathExists: exists, newVolumeName: name });
  assert.deepEqual(plan.map((m) => [m.destination, m.type]), [['/a', 'bind']]);
});
