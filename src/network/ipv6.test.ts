import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidr6Contains, cidr6Last, cidr6Overlaps, formatCidr6, formatIPv6, parseCidr6, parseIPv6 } from './ipv6.js';

test('parseIPv6 reads compressed, full and dotted-quad forms', () => {
  assert.equal(parseIPv6('::'), 0n);
  assert.equal(parseIPv6('::1'), 1n);
  assert.equal(parseIPv6('fd00:abcd::2'), (0xfd00abcdn << 96n) | 2n);
  assert.equal(parseIPv6('0:0:0:0:0:0:0:1'), 1n);
  assert.equal(parseIPv6('::ffff:1.2.3.4'), (0xffffn << 32n) | 0x01020304n);
  assert.equal(parseIPv6('FD00::A'), (0xfd00n << 112n) | 10n);
});

test('parseIPv6 refuses malformed text', () => {
  for (const bad of ['', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1.2.3.4', '::1.2.3.256', '[::1]', 'fe80::1%eth0']) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

test('formatIPv6 writes RFC 5952 text', () => {
  assert.equal(formatIPv6(0n), '::');
  assert.equal(formatIPv6(1n), '::1');
  assert.equal(formatIPv6(parseIPv6('fd00:abcd:0:0:0:0:0:2')!), 'fd00:abcd::2');
  assert.equal(formatIPv6(parseIPv6('2001:db8:0:1:1:1:1:1')!), '2001:db8:0:1:1:1:1:1'); // a single zero group stays
  assert.equal(formatIPv6(parseIPv6('2001:0:0:1:0:0:0:1')!), '2001:0:0:1::1'); // the longest run wins
  assert.equal(formatIPv6(parseIPv6('fd00::')!), 'fd00::');
});

test('parseCidr6 keeps the prefix and refuses host bits and bad lengths', () => {
  const c = parseCidr6('fd00:abcd::/64');
  assert.equal(c.prefix, 64);
  assert.equal(formatCidr6(c), 'fd00:abcd::/64');
  assert.throws(() => parseCidr6('fd00:abcd::5/64'), /it should be fd00:abcd::\/64/);
  assert.throws(() => parseCidr6('fd00::/129'), /invalid CIDR address/);
  assert.throws(() => parseCidr6('fd00::'), /invalid CIDR address/);
});

test('cidr6 helpers answer containment, overlap and the last address', () => {
  const a = parseCidr6('fd00:abcd::/64');
  assert.equal(cidr6Contains(a, parseIPv6('fd00:abcd::ffff')!), true);
  assert.equal(cidr6Contains(a, parseIPv6('fd00:abce::1')!), false);
  assert.equal(cidr6Overlaps(a, parseCidr6('fd00::/16')), true);
  assert.equal(cidr6Overlaps(a, parseCidr6('fd00:abce::/64')), false);
  assert.equal(formatIPv6(cidr6Last(parseCidr6('fd00:abcd::/120'))), 'fd00:abcd::ff');
});
