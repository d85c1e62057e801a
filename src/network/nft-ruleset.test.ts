import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRuleset, renderTeardown } from './nft-ruleset.js';

const state = {
  networks: [
    { bridge: 'skiff0', subnet: '10.210.0.0/16', internal: false },
    { bridge: 'skiff-abc', subnet: '10.211.0.0/16', internal: true },
  ],
  ports: [
    { proto: 'udp' as const, hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, containerIp: '10.210.0.3' },
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 4000, containerPort: 80, containerIp: '10.210.0.2' },
  ],
};

test('renderRuleset replaces only its own table, atomically', () => {
  const text = renderRuleset('skiff', state);
  const lines = text.split('\n');
  assert.equal(lines[0], 'table ip skiff {}');
  assert.equal(lines[1], 'delete table ip skiff');
  assert.equal(lines[2], 'table ip skiff {');
  assert.doesNotMatch(text, /flush ruleset|table ip filter|table inet/);
});

test('renderRuleset maps published ports by any address and by a given address', () => {
  const text = renderRuleset('skiff', state);
  assert.match(text, /map ports_any \{ type inet_proto \. inet_service : ipv4_addr \. inet_service; elements = \{ tcp \. 4000 : 10\.210\.0\.2 \. 80 \}; \}/);
  assert.match(text, /map ports_ip \{[^}]*elements = \{ 127\.0\.0\.1 \. udp \. 5353 : 10\.210\.0\.3 \. 53 \}; \}/);
  assert.match(text, /chain output \{ type nat hook output priority -100; policy accept; fib daddr type local jump ports; \}/);
});

test('renderRuleset lists bridges, internal bridges and NATed subnets', () => {
  const text = renderRuleset('skiff', state);
  assert.match(text, /set bridges \{ type ifname; elements = \{ "skiff0", "skiff-abc" \}; \}/);
  assert.match(text, /set internal \{ type ifname; elements = \{ "skiff-abc" \}; \}/);
  assert.match(text, /set subnets \{ type ipv4_addr; flags interval; elements = \{ 10\.210\.0\.0\/16 \}; \}/);
  assert.match(text, /iifname "skiff0" oifname "skiff0" accept\n    iifname "skiff-abc" oifname "skiff-abc" accept\n    iifname @internal drop/);
});

test('renderRuleset writes empty sets without an elements clause', () => {
  const text = renderRuleset('sk12345', { networks: [], ports: [] });
  assert.match(text, /set bridges \{ type ifname; \}/);
  assert.match(text, /map ports_any \{ type inet_proto \. inet_service : ipv4_addr \. inet_service; \}/);
  assert.doesNotMatch(text, /elements/);
});

test('renderRuleset strips characters that could break out of a quoted name', () => {
  const text = renderRuleset('skiff', { networks: [{ bridge: 'br";drop', subnet: '10.1.0.0/16', internal: false }], ports: [] });
  assert.match(text, /"brdrop"/);
});

test('renderTeardown deletes the table even if it was never made', () => {
  assert.equal(renderTeardown('skiff'), 'table ip skiff {}\ndelete table ip skiff\n');
});
