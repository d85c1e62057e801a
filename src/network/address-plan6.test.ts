import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateAddress6, checkSubnet6, leaseIPv6, planNetworkIPv6 } from './address-plan6.js';
import { formatIPv6, parseCidr6, parseIPv6 } from './ipv6.js';

const ip = (s: string) => parseIPv6(s)!;

test('checkSubnet6 takes the first address as gateway unless one is given', () => {
  assert.equal(formatIPv6(checkSubnet6('fd00:abcd::/64', undefined, []).gateway), 'fd00:abcd::1');
  assert.equal(formatIPv6(checkSubnet6('fd00:abcd::/64', 'fd00:abcd::99', []).gateway), 'fd00:abcd::99');
});

test('checkSubnet6 refuses overlaps, foreign gateways and tiny subnets with Docker wording', () => {
  assert.throws(() => checkSubnet6('fd00:abcd::/64', undefined, [parseCidr6('fd00::/16')]), /Pool overlaps with other one on this address space/);
  assert.throws(() => checkSubnet6('fd00:abcd::/64', 'fd00:abce::1', []), /no matching subnet for gateway fd00:abce::1/);
  assert.throws(() => checkSubnet6('fd00:abcd::/64', '10.0.0.1', []), /invalid gateway address/);
  assert.throws(() => checkSubnet6('fd00:abcd::/127', undefined, []), /too small/);
});

test('allocateAddress6 hands out the lowest free address after the gateway', () => {
  const s = parseCidr6('fd00:abcd::/64');
  const gw = ip('fd00:abcd::1');
  assert.equal(formatIPv6(allocateAddress6(s, gw, new Set())), 'fd00:abcd::2');
  assert.equal(formatIPv6(allocateAddress6(s, gw, new Set([ip('fd00:abcd::2'), ip('fd00:abcd::3')]))), 'fd00:abcd::4');
  // A gateway elsewhere leaves ::1 for containers.
  assert.equal(formatIPv6(allocateAddress6(s, ip('fd00:abcd::99'), new Set())), 'fd00:abcd::1');
});

test('allocateAddress6 checks a requested address and fails when the subnet is full', () => {
  const s = parseCidr6('fd00:abcd::/126');
  const gw = ip('fd00:abcd::1');
  assert.equal(formatIPv6(allocateAddress6(s, gw, new Set(), 'fd00:abcd::3')), 'fd00:abcd::3');
  assert.throws(() => allocateAddress6(s, gw, new Set(), 'fd00:abcd::1'), /Address already in use/);
  assert.throws(() => allocateAddress6(s, gw, new Set(), 'fd00:abce::1'), /no configured subnet contains/);
  assert.throws(() => allocateAddress6(s, gw, new Set(), 'nope'), /invalid IPv6 address/);
  assert.throws(() => allocateAddress6(s, gw, new Set([ip('fd00:abcd::2'), ip('fd00:abcd::3')])), /no available IPv6 addresses/);
});

test('planNetworkIPv6 mirrors dockerd 20.10: --ipv6 needs a subnet, a subnet alone is only recorded', () => {
  assert.throws(() => planNetworkIPv6({ enableIPv6: true }, []), /could not find an available, non-overlapping IPv6 address pool among the defaults/);
  assert.deepEqual(planNetworkIPv6({}, []), { subnet6: '', gateway6: '', enableIPv6: false });
  const taken = [parseCidr6('fd00:abcd::/64')];
  assert.deepEqual(planNetworkIPv6({ subnet6: 'fd00:abcd::/64' }, taken), { subnet6: 'fd00:abcd::/64', gateway6: 'fd00:abcd::1', enableIPv6: false });
  assert.throws(() => planNetworkIPv6({ enableIPv6: true, subnet6: 'fd00:abcd::/64' }, taken), /Pool overlaps/);
  assert.deepEqual(planNetworkIPv6({ enableIPv6: true, subnet6: 'fd00:abce::/64', gateway6: 'fd00:abce::99' }, taken), {
    subnet6: 'fd00:abce::/64',
    gateway6: 'fd00:abce::99',
    enableIPv6: true,
  });
});

test('leaseIPv6 leases only on networks with IPv6 enabled, skipping leased addresses', () => {
  const net = { enableIPv6: true, subnet6: 'fd00:abcd::/64', gateway6: 'fd00:abcd::1' };
  assert.deepEqual(leaseIPv6(net, []), { ip6: 'fd00:abcd::2', prefix: 64 });
  assert.deepEqual(leaseIPv6(net, ['fd00:abcd::2', '', undefined]), { ip6: 'fd00:abcd::3', prefix: 64 });
  assert.equal(leaseIPv6({ ...net, enableIPv6: false }, []), undefined);
  assert.equal(leaseIPv6({ enableIPv6: true, subnet6: '' }, []), undefined);
});
