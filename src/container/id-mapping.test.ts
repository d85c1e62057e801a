import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allSubIdRanges,
  freeSubIdStart,
  idMapFromSubIds,
  idShiftFor,
  mapKey,
  mappingsFromRanges,
  parseRemapSpec,
  parseSubIdFile,
  toContainerId,
  toHostId,
} from './id-mapping.js';

test('remap spec names the skiffremap user for default and splits user:group', () => {
  assert.deepEqual(parseRemapSpec('default'), { user: 'skiffremap' });
  assert.deepEqual(parseRemapSpec('alice'), { user: 'alice' });
  assert.deepEqual(parseRemapSpec('1000:1000'), { user: '1000', group: '1000' });
  assert.throws(() => parseRemapSpec('a:b:c'), /invalid --userns-remap value/);
  assert.throws(() => parseRemapSpec(':g'), /invalid --userns-remap value/);
});

test('subid file lines are matched by name or uid and comments and junk are skipped', () => {
  const text = '# c\nalice:100000:65536\nbob:200000:1000\n1001:300000:10\nalice:400000:5\nbroken\nalice:x:1\n';
  assert.deepEqual(parseSubIdFile(text, ['alice']), [{ start: 100000, length: 65536 }, { start: 400000, length: 5 }]);
  assert.deepEqual(parseSubIdFile(text, ['carol', '1001']), [{ start: 300000, length: 10 }]);
  assert.equal(allSubIdRanges(text).length, 4);
});

test('mappings lay container ids over the ranges in host order', () => {
  assert.deepEqual(mappingsFromRanges([{ start: 400000, length: 5 }, { start: 100000, length: 65536 }]), [
    { containerID: 0, hostID: 100000, size: 65536 },
    { containerID: 65536, hostID: 400000, size: 5 },
  ]);
});

test('ids translate both ways and unmapped ids are undefined', () => {
  const m = mappingsFromRanges([{ start: 100000, length: 65536 }, { start: 400000, length: 5 }]);
  assert.equal(toHostId(m, 0), 100000);
  assert.equal(toHostId(m, 65537), 400001);
  assert.equal(toHostId(m, 65541), undefined);
  assert.equal(toContainerId(m, 100005), 5);
  assert.equal(toContainerId(m, 99999), undefined);
  const shift = idShiftFor({ uidMappings: m, gidMappings: m });
  assert.equal(shift.uid(1000), 101000);
  assert.equal(shift.gid(70000), 70000); // outside the mapping: kept
  assert.equal(shift.capRoot(0), 100000);
});

test('a user without subordinate ids gets Docker-style errors and one with them a keyed map', () => {
  const who = { userName: 'skiffremap', uid: 999, groupName: 'skiffremap', gid: 995 };
  assert.throws(() => idMapFromSubIds(who, '', 'skiffremap:1:2\n'), /no subuid ranges found for user "skiffremap"/);
  assert.throws(() => idMapFromSubIds(who, 'skiffremap:1:2\n', ''), /no subgid ranges found for group "skiffremap"/);
  const map = idMapFromSubIds(who, '999:100000:65536\n', 'skiffremap:200000:65536\n');
  assert.equal(mapKey(map), '100000.200000');
});

test('a free subid start sits above every granted range and never below 100000', () => {
  assert.equal(freeSubIdStart([], 65536), 100000);
  assert.equal(freeSubIdStart([{ start: 100000, length: 65536 }, { start: 10, length: 5 }], 65536), 165536);
  assert.throws(() => freeSubIdStart([{ start: 0xffff0000, length: 0xfff0 }], 65536), /no free subordinate id range/);
});
