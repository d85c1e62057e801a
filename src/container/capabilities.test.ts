import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  applyCapChanges,
  capsFromMask,
  capsToMask,
  normalizeCapability,
  privilegedCapabilities,
} from './capabilities.js';

test('default capability set is Docker’s fourteen and its mask matches docker containers’ CapBnd', () => {
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.equal(capsToMask(DEFAULT_CAPABILITIES), '00000000a80425fb');
});

test('capability table has 41 entries with bit numbers in kernel order', () => {
  assert.equal(ALL_CAPABILITIES.length, 41);
  assert.equal(ALL_CAPABILITIES[0], 'CAP_CHOWN');
  assert.equal(ALL_CAPABILITIES[21], 'CAP_SYS_ADMIN');
  assert.equal(ALL_CAPABILITIES[24], 'CAP_SYS_RESOURCE');
  assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
});

test('normalizeCapability accepts names with or without CAP_ in any case', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('CAP_SYS_ADMIN'), 'CAP_SYS_ADMIN');
  assert.equal(normalizeCapability('cap_kill'), 'CAP_KILL');
  assert.equal(normalizeCapability('all'), 'ALL');
});

test('normalizeCapability rejects unknown names with Docker wording', () => {
  assert.throws(
    () => normalizeCapability('foo'),
    (err: unknown) => isEngineError(err, 'InvalidParameter') && err.message === 'unknown capability: "CAP_FOO"',
  );
  assert.throws(() => normalizeCapability('CAP_ALL'), /unknown capability: "CAP_ALL"/);
});

test('applyCapChanges with nothing to change returns the defaults', () => {
  assert.deepEqual(applyCapChanges(DEFAULT_CAPABILITIES, [], []), [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(applyCapChanges(DEFAULT_CAPABILITIES, null, undefined), [...DEFAULT_CAPABILITIES]);
});

test('applyCapChanges drops then appends adds', () => {
  const caps = applyCapChanges(DEFAULT_CAPABILITIES, ['net_admin', 'SYS_PTRACE'], ['chown', 'CAP_KILL']);
  assert.ok(!caps.includes('CAP_CHOWN'));
  assert.ok(!caps.includes('CAP_KILL'));
  assert.deepEqual(caps.slice(-2), ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE']);
  assert.equal(caps.length, 14);
});

test('applyCapChanges does not duplicate an added default', () => {
  const caps = applyCapChanges(DEFAULT_CAPABILITIES, ['chown'], []);
  assert.equal(caps.filter((c) => c === 'CAP_CHOWN').length, 1);
});

test('applyCapChanges add ALL gives every available capability except the dropped', () => {
  const host = capsFromMask('000001fffeffffff');
  const caps = applyCapChanges(DEFAULT_CAPABILITIES, ['ALL'], ['sys_admin'], host);
  assert.equal(caps.length, 39);
  assert.ok(!caps.includes('CAP_SYS_ADMIN'));
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
});

test('applyCapChanges add ALL wins over drop ALL', () => {
  assert.equal(applyCapChanges([], ['all'], ['all']).length, 41);
  assert.equal(applyCapChanges([], ['all'], []).length, 41);
});

test('applyCapChanges drop ALL keeps only the adds', () => {
  assert.deepEqual(applyCapChanges(DEFAULT_CAPABILITIES, ['net_bind_service'], ['ALL']), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(applyCapChanges(DEFAULT_CAPABILITIES, [], ['ALL']), []);
});

test('applyCapChanges rejects unknown names in add and drop', () => {
  assert.throws(() => applyCapChanges(DEFAULT_CAPABILITIES, ['bogus'], []), /unknown capability: "CAP_BOGUS"/);
  assert.throws(() => applyCapChanges(DEFAULT_CAPABILITIES, [], ['bogus2']), /unknown capability: "CAP_BOGUS2"/);
});

test('capsFromMask reads a /proc status mask, skipping missing bits', () => {
  const caps = capsFromMask('000001fffeffffff');
  assert.equal(caps.length, 40);
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(capsFromMask('00000000a80425fb'), ALL_CAPABILITIES.filter((c) => DEFAULT_CAPABILITIES.includes(c)));
  assert.deepEqual(capsFromMask('0'), []);
  assert.deepEqual(capsFromMask('0x1\n'), ['CAP_CHOWN']);
  // A future kernel's bit 41 is ignored rather than invented.
  assert.equal(capsFromMask('000003ffffffffff').length, 41);
  assert.throws(() => capsFromMask('zz'), /invalid capability mask/);
});

test('capsToMask is the inverse of capsFromMask', () => {
  assert.equal(capsToMask(capsFromMask('000001fffeffffff')), '000001fffeffffff');
  assert.equal(capsToMask([]), '0000000000000000');
});

test('privilegedCapabilities is the host bounding set in kernel order', () => {
  const host = ['CAP_SYS_ADMIN', 'CAP_CHOWN'];
  assert.deepEqual(privilegedCapabilities(host), ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
  assert.equal(privilegedCapabilities(capsFromMask('000001fffeffffff')).length, 40);
});
