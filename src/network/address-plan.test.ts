import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateAddress, checkSubnet, defaultSubnetPool, macForAddress, pickSubnet } from './address-plan.js';
import { formatCidr, formatIPv4, parseCidr, parseIPv4 } from './ipv4.js';

test('pickSubnet takes the first pool subnet clear of host routes and existing networks', () => {
  const pool = defaultSubnetPool();
  assert.equal(formatCidr(pickSubnet(pool, [])), '10.210.0.0/16');
  assert.equal(formatCidr(pickSubnet(pool, [parseCidr('10.210.5.0/24')])), '10.211.0.0/16');
  assert.equal(formatCidr(pickSubnet(pool, [parseCidr('10.0.0.0/8')])), '192.168.0.0/20');
});

test('pickSubnet never hands out docker0 subnet and fails when the pool is exhausted', () => {
  assert.equal(formatCidr(pickSubnet([parseCidr('172.17.0.0/16'), parseCidr('10.5.0.0/16')], [])), '10.5.0.0/16');
  assert.throws(() => pickSubnet([parseCidr('10.5.0.0/16')], [parseCidr('0.0.0.0/0')]), /non-overlapping IPv4 address pool/);
});

test('checkSubnet validates the gateway and refuses overlaps', () => {
  const r = checkSubnet('10.30.0.0/24', '10.30.0.254', []);
  assert.equal(formatIPv4(r.gateway), '10.30.0.254');
  assert.equal(formatIPv4(checkSubnet('10.30.0.0/24', undefined, []).gateway), '10.30.0.1');
  assert.throws(() => checkSubnet('10.30.0.0/24', '10.31.0.1', []), /no matching subnet for gateway/);
  assert.throws(() => checkSubnet('10.30.0.0/24', undefined, [parseCidr('10.30.0.0/16')]), /Pool overlaps/);
  assert.throws(() => checkSubnet('10.30.0.0/99', undefined, []), /invalid CIDR address/);
});

test('allocateAddress skips the gateway and used addresses and honours a request', () => {
  const net = parseCidr('10.9.0.0/29'); // hosts .1-.6
  const gw = parseIPv4('10.9.0.1')!;
  assert.equal(formatIPv4(allocateAddress(net, gw, new Set())), '10.9.0.2');
  assert.equal(formatIPv4(allocateAddress(net, gw, new Set([parseIPv4('10.9.0.2')!]))), '10.9.0.3');
  assert.equal(formatIPv4(allocateAddress(net, gw, new Set(), '10.9.0.5')), '10.9.0.5');
  assert.throws(() => allocateAddress(net, gw, new Set(), '10.9.0.1'), /Address already in use/);
  assert.throws(() => allocateAddress(net, gw, new Set(), '10.9.0.7'), /no configured subnet contains/);
  const full = new Set([2, 3, 4, 5, 6].map((n) => net.base + n));
  assert.throws(() => allocateAddress(net, gw, full), /no available IPv4 addresses/);
});

test('macForAddress embeds the address after 02:42', () => {
  assert.equal(macForAddress(parseIPv4('172.17.0.2')!), '02:42:ac:11:00:02');
});
