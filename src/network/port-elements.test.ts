import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffPortElements, portElementKey, portElementLines, portElementScript, type PortElement } from './port-elements.js';

const web: PortElement = { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 4000, containerPort: 80, containerIp: '10.210.0.2' };
const dns: PortElement = { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, containerIp: '10.210.0.3' };
const byKey = (...ps: PortElement[]) => new Map(ps.map((p) => [portElementKey(p), p]));

test('diffPortElements adds new keys, deletes gone ones and replaces a changed target', () => {
  assert.deepEqual(diffPortElements(byKey(web), byKey(web, dns)), { add: [dns], del: [] });
  assert.deepEqual(diffPortElements(byKey(web, dns), byKey(dns)), { add: [], del: [web] });
  const moved = { ...web, containerIp: '10.210.0.9' };
  assert.deepEqual(diffPortElements(byKey(web), byKey(moved)), { add: [moved], del: [web] });
  assert.deepEqual(diffPortElements(byKey(web), byKey(web)), { add: [], del: [] });
});

test('portElementLines speaks the helper protocol with deletions first', () => {
  assert.deepEqual(portElementLines('sk12345', { add: [web], del: [dns] }), [
    'elem del sk12345 ip 127.0.0.1 udp 5353',
    'elem add sk12345 any tcp 4000 10.210.0.2 80',
  ]);
});

test('portElementScript is the same change as nft element commands', () => {
  assert.equal(
    portElementScript('skiff', { add: [web, dns], del: [] }),
    'add element ip skiff ports_any { tcp . 4000 : 10.210.0.2 . 80 }\nadd element ip skiff ports_ip { 127.0.0.1 . udp . 5353 : 10.210.0.3 . 53 }\n',
  );
  assert.equal(portElementScript('skiff', { add: [], del: [web] }), 'delete element ip skiff ports_any { tcp . 4000 }\n');
  assert.equal(portElementScript('skiff', { add: [], del: [] }), '');
});

const web6: PortElement = { proto: 'tcp', hostIp: '::', hostPort: 4000, containerPort: 80, containerIp: 'fd00:abcd::2' };
const dns6: PortElement = { proto: 'udp', hostIp: 'fd00::2', hostPort: 5353, containerPort: 53, containerIp: 'fd00:abcd::3' };

test('portElementKey keeps an IPv6 element apart from its IPv4 twin on the same port', () => {
  assert.notEqual(portElementKey(web6), portElementKey(web));
  assert.equal(byKey(web, web6).size, 2);
});

test('IPv6 elements go to the ip6 table, in helper lines and in nft scripts', () => {
  assert.deepEqual(portElementLines('sk1', { add: [web6], del: [dns6] }), [
    'elem del sk1 ip6 fd00::2 udp 5353',
    'elem add sk1 any6 tcp 4000 fd00:abcd::2 80',
  ]);
  assert.equal(
    portElementScript('sk1', { add: [web6], del: [dns6] }),
    'delete element ip6 sk1 ports_ip { fd00::2 . udp . 5353 }\nadd element ip6 sk1 ports_any { tcp . 4000 : fd00:abcd::2 . 80 }\n',
  );
});
