import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateBlock, autoIdMap, usernsChoice } from './userns-plan.js';

const host = (o: Partial<{ usernsMode: string; privileged: boolean; networkMode: string; pidMode: string }> = {}) => ({
  usernsMode: '',
  privileged: false,
  networkMode: 'bridge',
  pidMode: '',
  ...o,
});

test('userns choice follows the daemon remap, --userns=host and --userns=auto', () => {
  assert.deepEqual(usernsChoice(host(), false), { kind: 'host' });
  assert.deepEqual(usernsChoice(host(), true), { kind: 'remap' });
  assert.deepEqual(usernsChoice(host({ usernsMode: 'host', privileged: true, networkMode: 'host' }), true), { kind: 'host' });
  assert.deepEqual(usernsChoice(host({ usernsMode: 'auto' }), false), { kind: 'auto' });
  assert.throws(() => usernsChoice(host({ usernsMode: 'odd' }), true), /invalid USER mode: odd/);
});

test('userns choice refuses privileged and host namespaces with dockerd wording', () => {
  assert.throws(() => usernsChoice(host({ privileged: true }), true), /^EngineError: privileged mode is incompatible with user namespaces\.  You must run the container in the host namespace when running privileged mode$/);
  assert.throws(() => usernsChoice(host({ networkMode: 'host' }), true), /cannot share the host's network namespace when user namespaces are enabled/);
  assert.throws(() => usernsChoice(host({ pidMode: 'host', usernsMode: 'auto' }), false), /cannot share the host PID namespace/);
  assert.deepEqual(usernsChoice(host({ privileged: true }), false), { kind: 'host' });
});

test('auto blocks are the lowest free aligned block and freed blocks are reused', () => {
  const pool = [{ start: 165536, length: 65536 * 3 }];
  assert.equal(allocateBlock(pool, []), 165536);
  assert.equal(allocateBlock(pool, [{ start: 165536, length: 65536 }]), 231072);
  assert.equal(allocateBlock(pool, [{ start: 231072, length: 65536 }]), 165536);
  // A range someone else holds that straddles two blocks takes both.
  assert.equal(allocateBlock(pool, [{ start: 200000, length: 65536 }]), 296608);
  assert.throws(() => allocateBlock(pool, [{ start: 165536, length: 65536 * 3 }]), /no free id range left for --userns=auto/);
  assert.deepEqual(autoIdMap(1, 2, 10), { uidMappings: [{ containerID: 0, hostID: 1, size: 10 }], gidMappings: [{ containerID: 0, hostID: 2, size: 10 }] });
});
