import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeUpLines, containerSideLines, hostSideLines, linkDeleteLines } from './link-plan.js';

const ep = {
  ifname: 'eth0',
  hostVeth: 'skiffv123',
  mac: '02:42:0a:d2:00:02',
  addressCidr: '10.210.0.2/16',
  defaultGateway: '10.210.0.1',
  bridge: 'skiff0',
};

test('bridgeUpLines creates a missing bridge and always sets its address and state', () => {
  assert.deepEqual(bridgeUpLines('skiff0', '10.210.0.1/16', false), [
    'link add skiff0 type bridge',
    'addr replace 10.210.0.1/16 dev skiff0',
    'link set skiff0 up',
  ]);
  assert.deepEqual(bridgeUpLines('skiff0', '10.210.0.1/16', true), ['addr replace 10.210.0.1/16 dev skiff0', 'link set skiff0 up']);
});

test('containerSideLines makes the pair inside and pushes the host end out', () => {
  assert.deepEqual(containerSideLines(ep, '/proc/1/ns/net'), [
    'link add eth0 address 02:42:0a:d2:00:02 type veth peer name skiffv123 netns /proc/1/ns/net',
    'addr add 10.210.0.2/16 dev eth0',
    'link set eth0 up',
    'route add default via 10.210.0.1 dev eth0',
  ]);
});

test('containerSideLines adds no default route without a gateway (internal networks)', () => {
  const lines = containerSideLines({ ...ep, defaultGateway: undefined }, '/proc/1/ns/net');
  assert.equal(lines.some((l) => l.startsWith('route')), false);
  assert.equal(lines.length, 3);
});

test('hostSideLines attaches the veth to its bridge with hairpin and brings it up', () => {
  assert.deepEqual(hostSideLines(ep), [
    'link set skiffv123 master skiff0',
    'link set skiffv123 type bridge_slave hairpin on',
    'link set skiffv123 up',
  ]);
  assert.deepEqual(linkDeleteLines(['a', 'b']), ['link del a', 'link del b']);
});

test('bridgeUpLines gives a dual-stack bridge its IPv6 gateway without DAD', () => {
  assert.deepEqual(bridgeUpLines('sk-1', '10.9.0.1/24', true, 'fd00:abcd::1/64'), [
    'addr replace 10.9.0.1/24 dev sk-1',
    'addr replace fd00:abcd::1/64 dev sk-1 nodad',
    'link set sk-1 up',
  ]);
});

test('containerSideLines adds the IPv6 address (no DAD) and its default route', () => {
  const lines = containerSideLines({ ...ep, address6Cidr: 'fd00:abcd::2/64', defaultGateway6: 'fd00:abcd::1' }, '/proc/1/ns/net');
  assert.deepEqual(lines.slice(4), ['addr add fd00:abcd::2/64 dev eth0 nodad', 'route add default via fd00:abcd::1 dev eth0']);
  const internal = containerSideLines({ ...ep, defaultGateway: undefined, address6Cidr: 'fd00:abcd::2/64' }, '/proc/1/ns/net');
  assert.equal(internal.filter((l) => l.startsWith('route')).length, 0);
});
