import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortBindings, portsMap, summaryPorts, withPublishAll } from './port-bindings.js';

test('parsePortBindings reads host ports, addresses, ranges and ephemeral requests', () => {
  const specs = parsePortBindings({
    '80/tcp': [{ HostIp: '', HostPort: '4000' }],
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    '81': [{ HostIp: '0.0.0.0', HostPort: '5000-5005' }],
    '82/tcp': null,
  });
  // A key without a protocol is integer-like, so JavaScript lists it first.
  assert.deepEqual(specs, [
    { containerPort: 81, proto: 'tcp', hostIp: '', hostPortStart: 5000, hostPortEnd: 5005 },
    { containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 4000, hostPortEnd: 4000 },
    { containerPort: 53, proto: 'udp', hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 },
    { containerPort: 82, proto: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
  ]);
});

test('parsePortBindings refuses bad ports, protocols and addresses', () => {
  assert.throws(() => parsePortBindings({ '99999/tcp': [] }), /invalid port specification/);
  assert.throws(() => parsePortBindings({ '80/sctp': [] }), /sctp ports are not supported/);
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: 'x', HostPort: '1' }] }), /invalid IP address: x/);
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: 'abc' }] }), /invalid port specification: "abc"/);
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: '9-3' }] }), /invalid port specification/);
});

test('parsePortBindings keeps IPv6 host addresses in canonical text and refuses bad ones', () => {
  assert.deepEqual(parsePortBindings({ '80/tcp': [{ HostIp: '::', HostPort: '1' }] }), [
    { containerPort: 80, proto: 'tcp', hostIp: '::', hostPortStart: 1, hostPortEnd: 1 },
  ]);
  assert.equal(parsePortBindings({ '80/tcp': [{ HostIp: '0:0::0:1', HostPort: '2' }] })[0]?.hostIp, '::1');
  assert.throws(() => parsePortBindings({ '80/tcp': [{ HostIp: 'fd00::zz', HostPort: '2' }] }), /invalid IP address: fd00::zz/);
});

test('withPublishAll adds an ephemeral binding for each exposed port not bound already', () => {
  const bound = parsePortBindings({ '80/tcp': [{ HostIp: '', HostPort: '4000' }] });
  const all = withPublishAll(bound, ['80/tcp', '443/tcp', '53/udp'], true);
  assert.deepEqual(
    all.map((s) => `${s.containerPort}/${s.proto}:${s.hostPortStart}`),
    ['80/tcp:4000', '443/tcp:0', '53/udp:0'],
  );
  assert.equal(withPublishAll(bound, ['443/tcp'], false).length, 1);
});

test('portsMap lists exposed ports as null and published ones with their bindings', () => {
  const m = portsMap(['80/tcp', '22/tcp'], [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 4000, containerPort: 80 }]);
  assert.deepEqual(m, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '4000' }], '22/tcp': null });
});

test('summaryPorts shows published ports and bare exposed ones', () => {
  const s = summaryPorts(['80/tcp', '22/tcp'], [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 4000, containerPort: 80 }]);
  assert.deepEqual(s, [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 4000, Type: 'tcp' },
    { PrivatePort: 22, Type: 'tcp' },
  ]);
});
