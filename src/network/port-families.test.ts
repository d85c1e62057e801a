import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindTargets, endpointPortElements } from './port-families.js';

test('bindTargets publishes an address-less binding on both families when the container has IPv6', () => {
  assert.deepEqual(bindTargets({ hostIp: '', proto: 'tcp' }, '10.9.0.2', 'fd00::2'), [
    { hostIp: '0.0.0.0', relayTo: undefined },
    { hostIp: '::', relayTo: 'fd00::2' },
  ]);
  // IPv4-only container: :: too (tcp, relayed to its v4 address, as docker-proxy), optional.
  assert.deepEqual(bindTargets({ hostIp: '', proto: 'tcp' }, '10.9.0.2', undefined), [
    { hostIp: '0.0.0.0', relayTo: undefined },
    { hostIp: '::', relayTo: '10.9.0.2', optional: true },
  ]);
  assert.deepEqual(bindTargets({ hostIp: '', proto: 'udp' }, '10.9.0.2', undefined), [{ hostIp: '0.0.0.0', relayTo: undefined }]);
  assert.deepEqual(bindTargets({ hostIp: '127.0.0.1', proto: 'udp' }, '10.9.0.2', 'fd00::2'), [{ hostIp: '127.0.0.1', relayTo: undefined }]);
});

test('bindTargets relays a v6 host address to the v4 container only over tcp', () => {
  assert.deepEqual(bindTargets({ hostIp: '::1', proto: 'tcp' }, '10.9.0.2', 'fd00::2'), [{ hostIp: '::1', relayTo: 'fd00::2' }]);
  assert.deepEqual(bindTargets({ hostIp: '::1', proto: 'tcp' }, '10.9.0.2', undefined), [{ hostIp: '::1', relayTo: '10.9.0.2' }]);
  assert.deepEqual(bindTargets({ hostIp: '::1', proto: 'udp' }, '10.9.0.2', undefined), []);
});

test('endpointPortElements sends each family to its own container address and leaves relays out', () => {
  const ports = [
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 },
    { proto: 'tcp' as const, hostIp: '::', hostPort: 8080, containerPort: 80 },
    { proto: 'tcp' as const, hostIp: '::1', hostPort: 8081, containerPort: 80 },
  ];
  assert.deepEqual(endpointPortElements({ ip: '10.9.0.2', ip6: 'fd00::2', ports }).map((p) => `${p.hostIp}>${p.containerIp}`), [
    '0.0.0.0>10.9.0.2',
    '::>fd00::2',
  ]);
  assert.deepEqual(endpointPortElements({ ip: '10.9.0.2', ip6: '', ports }).map((p) => p.containerIp), ['10.9.0.2']);
});
