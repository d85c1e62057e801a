import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, cidrOverlaps, cidrSize, formatCidr, formatIPv4, parseCidr, parseIPv4 } from './ipv4.js';

test('parseIPv4 reads dotted quads and refuses junk', () => {
  assert.equal(parseIPv4('10.0.0.1'), 0x0a000001);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('256.0.0.1'), undefined);
  assert.equal(parseIPv4('1.2.3'), undefined);
  assert.equal(parseIPv4('01.2.3.4'), undefined);
  assert.equal(parseIPv4('a.b.c.d'), undefined);
});

test('formatIPv4 round-trips high addresses without sign trouble', () => {
  assert.equal(formatIPv4(0xc0a80101), '192.168.1.1');
  assert.equal(formatIPv4(parseIPv4('172.31.255.254')!), '172.31.255.254');
});

test('parseCidr accepts a network and refuses bad input with Docker wording', () => {
  assert.deepEqual(parseCidr('10.88.0.0/16'), { base: 0x0a580000, prefix: 16 });
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR address: 10.0.0.0\/33/);
  assert.throws(() => parseCidr('nonsense'), /invalid CIDR address: nonsense/);
  assert.throws(() => parseCidr('10.0.0.1/8'), /invalid subnet 10.0.0.1\/8: it should be 10.0.0.0\/8/);
});

test('cidr contains and overlaps compare by the shorter prefix', () => {
  const a = parseCidr('10.1.0.0/16');
  assert.equal(cidrContains(a, parseIPv4('10.1.200.3')!), true);
  assert.equal(cidrContains(a, parseIPv4('10.2.0.1')!), false);
  assert.equal(cidrOverlaps(a, parseCidr('10.0.0.0/8')), true);
  assert.equal(cidrOverlaps(a, parseCidr('10.1.5.0/24')), true);
  assert.equal(cidrOverlaps(a, parseCidr('10.2.0.0/16')), false);
  assert.equal(cidrSize(parseCidr('10.1.5.0/24')), 256);
});
