import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portLines } from './port.js';

const ports = {
  '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '4000' }],
  '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
  '22/tcp': null,
};

test('portLines lists every published binding in port order', () => {
  assert.deepEqual(portLines(ports), ['53/udp -> 127.0.0.1:5353', '80/tcp -> 0.0.0.0:4000']);
});

test('portLines for one private port prints bare addresses, tcp by default', () => {
  assert.deepEqual(portLines(ports, '80'), ['0.0.0.0:4000']);
  assert.deepEqual(portLines(ports, '53/udp'), ['127.0.0.1:5353']);
  assert.deepEqual(portLines(ports, '22'), []);
});
