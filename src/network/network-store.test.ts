import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { NetworkStore, type NetworkRecord } from './network-store.js';

const net: NetworkRecord = {
  id: 'n1', name: 'v6net', driver: 'bridge', subnet: '10.9.0.0/24', gateway: '10.9.0.1', bridge: 'sk-n1', internal: false,
  labels: {}, options: {}, created: '2024-01-01T00:00:00Z', subnet6: 'fd00:abcd::/64', gateway6: 'fd00:abcd::1', enableIPv6: true,
};

test('NetworkStore keeps a network\'s IPv6 subnet and an endpoint\'s IPv6 address', () => {
  const store = new NetworkStore(new Database(':memory:'));
  store.insertNetwork(net);
  store.insertEndpoint({ containerId: 'c1', networkId: 'n1', endpointId: 'e1', ip: '10.9.0.2', mac: 'm', veth: 'v', ifname: 'eth0', aliases: [], ports: [], ip6: 'fd00:abcd::2' });
  const got = store.network('n1')!;
  assert.equal(got.subnet6, 'fd00:abcd::/64');
  assert.equal(got.gateway6, 'fd00:abcd::1');
  assert.equal(got.enableIPv6, true);
  assert.equal(store.endpointsOf('c1')[0]?.ip6, 'fd00:abcd::2');
});

test('NetworkStore adds the IPv6 columns to a database made before them', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, subnet TEXT NOT NULL,
    gateway TEXT NOT NULL, bridge TEXT NOT NULL, internal INTEGER NOT NULL, labels TEXT NOT NULL, options TEXT NOT NULL, created TEXT NOT NULL);
    INSERT INTO networks VALUES ('old', 'old', 'bridge', '10.8.0.0/24', '10.8.0.1', 'sk-old', 0, '{}', '{}', 'x');`);
  const store = new NetworkStore(db);
  const old = store.network('old')!;
  assert.equal(old.subnet6, '');
  assert.equal(old.enableIPv6, false);
  store.insertNetwork({ ...net, subnet6: undefined, gateway6: undefined, enableIPv6: undefined });
  assert.equal(store.network('n1')?.subnet6, '');
});
