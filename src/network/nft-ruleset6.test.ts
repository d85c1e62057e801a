import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRuleset6, renderTeardown6 } from './nft-ruleset6.js';

const state = {
  networks: [
    { bridge: 'sk1-aaa', subnet6: 'fd00:abcd::/64', internal: false },
    { bridge: 'sk1-bbb', subnet6: '', internal: false },
    { bridge: 'sk1-ccc', subnet6: 'fd00:cccc::/64', internal: true },
  ],
  ports: [
    { proto: 'udp' as const, hostIp: 'fd00::2', hostPort: 5353, containerPort: 53, containerIp: 'fd00:abcd::3' },
    { proto: 'tcp' as const, hostIp: '::', hostPort: 8080, containerPort: 80, containerIp: 'fd00:abcd::2' },
  ],
};

test('renderRuleset6 replaces only its own ip6 table, atomically', () => {
  const lines = renderRuleset6('sk1', state).split('\n');
  assert.deepEqual(lines.slice(0, 3), ['table ip6 sk1 {}', 'delete table ip6 sk1', 'table ip6 sk1 {']);
});

test('renderRuleset6 maps v6 ports by any address and by a given address', () => {
  const text = renderRuleset6('sk1', state);
  assert.match(text, /map ports_any \{ type inet_proto \. inet_service : ipv6_addr \. inet_service; elements = \{ tcp \. 8080 : fd00:abcd::2 \. 80 \}; \}/);
  assert.match(text, /map ports_ip \{ type ipv6_addr \. inet_proto \. inet_service : ipv6_addr \. inet_service; elements = \{ fd00::2 \. udp \. 5353 : fd00:abcd::3 \. 53 \}; \}/);
});

test('renderRuleset6 leaves loopback to the relay and NATs only non-internal v6 subnets', () => {
  const text = renderRuleset6('sk1', state);
  assert.match(text, /chain ports \{\n {4}ip6 daddr ::1 return\n/);
  assert.match(text, /set subnets \{ type ipv6_addr; flags interval; elements = \{ fd00:abcd::\/64 \}; \}/);
  assert.match(text, /set bridges \{ type ifname; elements = \{ "sk1-aaa", "sk1-bbb", "sk1-ccc" \}; \}/);
  assert.match(text, /ip6 saddr @subnets oifname != @bridges masquerade/);
});

test('renderRuleset6 without any IPv6 network only tears the table down', () => {
  const text = renderRuleset6('sk1', { networks: [{ bridge: 'sk1-bbb', subnet6: '', internal: false }], ports: [] });
  assert.equal(text, renderTeardown6('sk1'));
  assert.equal(text, 'table ip6 sk1 {}\ndelete table ip6 sk1\n');
});
