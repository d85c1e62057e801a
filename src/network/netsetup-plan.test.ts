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

test('netsetupLines creates the namespace inside a new user namespace with its id maps', () => {
  const userns = {
    path: '/run/skiff/userns/abc',
    uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }, { containerID: 65536, hostID: 400000, size: 5 }],
    gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
  };
  assert.deepEqual(netsetupLines({ create: '/run/skiff/netns/abc', userns }, []), [
    'create-userns /run/skiff/netns/abc /run/skiff/userns/abc 0:100000:65536,65536:400000:5 0:200000:65536',
    'lo-up',
  ]);
});

test('netsetupLines enters an existing namespace for a hot-plugged network', () => {
  assert.deepEqual(netsetupLines({ enter: '/x/netns/abc' }, []), ['enter /x/netns/abc']);
});

test('netsetupLines follows a dual-stack endpoint\'s veth line with its addr6 line', () => {
  const six = { ...ep('eth0', '10.210.0.1'), address6Cidr: 'fd00:abcd::2/64', defaultGateway6: 'fd00:abcd::1' };
  assert.deepEqual(netsetupLines({ enter: '/x/netns/abc' }, [six, { ...six, ifname: 'eth1', hostVeth: 'skiffveth1', defaultGateway6: undefined }]).slice(1), [
    'veth eth0 02:42:0a:d2:00:02 skiffveth0 10.210.0.2/16 10.210.0.1 skiff0',
    'addr6 eth0 fd00:abcd::2/64 fd00:abcd::1',
    'veth eth1 02:42:0a:d2:00:02 skiffveth1 10.210.0.2/16 10.210.0.1 skiff0',
    'addr6 eth1 fd00:abcd::2/64 -',
  ]);
});
