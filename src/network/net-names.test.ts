import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBridgeName, isOwnInterface, networkTag, userBridgeName, vethName } from './net-names.js';

test('networkTag is skiff on the default exec root and a short hash elsewhere', () => {
  assert.equal(networkTag('/run/skiff'), 'skiff');
  assert.equal(networkTag('/run/skiff/'), 'skiff');
  const t = networkTag('/tmp/skf-abc/exec');
  assert.match(t, /^sk[0-9a-f]{5}$/);
  assert.notEqual(t, networkTag('/tmp/skf-abd/exec'));
});

test('interface names fit in 15 bytes and are recognised as own', () => {
  for (const tag of ['skiff', 'sk1a2b3']) {
    const names = [defaultBridgeName(tag), userBridgeName(tag, 'f'.repeat(64)), vethName(tag, 'a'.repeat(64), 'b'.repeat(64))];
    for (const n of names) {
      assert.ok(n.length <= 15, n);
      assert.equal(isOwnInterface(tag, n), true, n);
    }
  }
  assert.equal(defaultBridgeName('skiff'), 'skiff0');
  assert.equal(isOwnInterface('skiff', 'eth0'), false);
  assert.equal(isOwnInterface('skiff', 'sk1a2b3v123'), false);
  assert.equal(isOwnInterface('sk1a2b3', 'skiffv123'), false);
});

test('vethName differs per container and per network', () => {
  assert.notEqual(vethName('skiff', 'a', 'n1'), vethName('skiff', 'a', 'n2'));
  assert.notEqual(vethName('skiff', 'a', 'n1'), vethName('skiff', 'b', 'n1'));
});
