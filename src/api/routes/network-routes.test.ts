import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkManager } from '../../network/network-manager.js';
import type { EndpointRecord, NetworkRecord } from '../../network/network-store.js';
import { networkShape } from './network-routes.js';

const net: NetworkRecord = {
  id: 'n1', name: 'v6net', driver: 'bridge', subnet: '10.9.0.0/24', gateway: '10.9.0.1', bridge: 'sk-n1', internal: false,
  labels: {}, options: {}, created: 'x', subnet6: 'fd00:abcd::/64', gateway6: 'fd00:abcd::1', enableIPv6: true,
};
const ep: EndpointRecord = { containerId: 'c1', networkId: 'n1', endpointId: 'e1', ip: '10.9.0.2', mac: 'm', veth: 'v', ifname: 'eth0', aliases: [], ports: [], ip6: 'fd00:abcd::2' };
const deps = (eps: EndpointRecord[]) => ({ networks: { endpointsOn: () => eps } as unknown as NetworkManager, containerName: () => 'web' });

test('networkShape lists the IPv6 subnet beside the IPv4 one and each container\'s v6 address', () => {
  const shape = networkShape(net, deps([ep])) as { EnableIPv6: boolean; IPAM: { Config: unknown[] }; Containers: Record<string, { IPv6Address: string }> };
  assert.equal(shape.EnableIPv6, true);
  assert.deepEqual(shape.IPAM.Config, [
    { Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' },
    { Subnet: 'fd00:abcd::/64', Gateway: 'fd00:abcd::1' },
  ]);
  assert.equal(shape.Containers.c1?.IPv6Address, 'fd00:abcd::2/64');
});

test('networkShape of an IPv4-only network has IPv6 off and no v6 addresses', () => {
  const v4: NetworkRecord = { ...net, subnet6: '', gateway6: '', enableIPv6: false };
  const shape = networkShape(v4, deps([{ ...ep, ip6: '' }])) as { EnableIPv6: boolean; IPAM: { Config: unknown[] }; Containers: Record<string, { IPv6Address: string }> };
  assert.equal(shape.EnableIPv6, false);
  assert.equal(shape.IPAM.Config.length, 1);
  assert.equal(shape.Containers.c1?.IPv6Address, '');
});
