import assert from 'node:assert/strict';
import { test } from 'node:test';
import { netsetupLines } from './netsetup-plan.js';

const ep = (ifname: string, gw: string | undefined) => ({
  ifname,
  hostVeth: `skiffv${ifname}`,
  mac: '02:42:0a:d2:00:02',
  addressCidr: '10.210.0.2/16',
  defaultGateway: gw,
  bridge: 'skiff0',
});

test('netsetupLines creates the namespace, brings lo up and wires each endpoint', () => {
  assert.deepEqual(netsetupLines({ create: '/run/skiff/netns/abc' }, [ep('eth0', '10.210.0.1'), ep('eth1', undefined)]), [
    'create /run/skiff/netns/abc',
    'lo-up',
    'veth eth0 02:42:0a:d2:00:02 skiffveth0 10.210.0.2/16 10.210.0.1 skiff0',
    'veth eth1 02:42:0a:d2:00:02 skiffveth1 10.210.0.2/16 - skiff0',
  ]);
});

test('netsetupLines enters an existing namespace for a hot-plugged network', () => {
  assert.deepEqual(netsetupLines({ enter: '/x/netns/abc' }, []), ['enter /x/netns/abc']);
});
