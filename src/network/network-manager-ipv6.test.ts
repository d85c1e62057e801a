import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { silentLogger } from '../base/log.js';
import { initialState, type ContainerRecord } from '../container/container-record.js';
import { NetworkManager } from './network-manager.js';
import { NetworkStore } from './network-store.js';

/** The manager on a dual-stack network, with recording fakes (sockets keyed by address and port). */
function setup() {
  const helperLines: string[][] = [];
  const nftScripts: string[] = [];
  const ipLines: string[] = [];
  const sysctls: string[] = [];
  const sockets = new Map<string, string | undefined>();
  const links = new Set<string>(['lo']);
  const containers = new Map<string, ContainerRecord>();
  const nsFiles = new Set<string>();
  const mgr = new NetworkManager({
    store: new NetworkStore(new Database(':memory:')),
    netns: {
      helper: true,
      setup: async (lines) => {
        helperLines.push([...lines]);
        for (const l of lines) {
          const v = /^veth \S+ \S+ (\S+)/.exec(l);
          if (v?.[1]) links.add(v[1]);
          const c = /^create (\S+)/.exec(l);
          if (c?.[1]) nsFiles.add(c[1]);
        }
      },
      create: async () => {},
      exec: async () => {},
      remove: async (path) => void nsFiles.delete(path),
      list: async () => [...nsFiles],
    },
    ipBatch: async (lines) => {
      ipLines.push(...lines);
      for (const l of lines) if (/^link add (\S+)/.test(l)) links.add(l.split(' ')[2] ?? '');
    },
    ipBatchForce: async (lines) => {
      for (const l of lines) links.delete(l.replace(/^link del /, ''));
    },
    nft: async (script) => void nftScripts.push(script),
    host: { routes: () => [], interfaces: () => [...links], sysctl: (k, v) => void sysctls.push(`${k}=${v}`) },
    reservePort: async (_proto, ip, port, relay) => {
      const p = port === 0 ? 41000 : port;
      const key = `${ip || '0.0.0.0'}/${p}`;
      if (sockets.has(key)) throw new Error('EADDRINUSE');
      sockets.set(key, relay ? `${relay.address}.${relay.port}` : undefined);
      return { port: p, close: async () => void sockets.delete(key) };
    },
    execRoot: '/tmp/y/exec',
    log: silentLogger,
    lookupContainer: (ref) => {
      const c = containers.get(ref) ?? [...containers.values()].find((r) => r.name === ref);
      if (!c) throw new Error(`No such container: ${ref}`);
      return c;
    },
  });
  mgr.init();
  const container = (id: string, host: Partial<ContainerRecord['spec']['host']>): ContainerRecord => {
    const rec = {
      id: id.padEnd(64, '0'),
      name: `c-${id}`,
      created: '',
      state: { ...initialState(), status: 'running' as const, pid: 1 },
      restartCount: 0,
      wire: { config: {}, hostConfig: {} },
      spec: { exposedPorts: [], host: { networkMode: 'bridge', ...host } },
    } as unknown as ContainerRecord;
    containers.set(rec.id, rec);
    return rec;
  };
  return { mgr, helperLines, nftScripts, ipLines, sysctls, sockets, container };
}

const web = { containerPort: 80, proto: 'tcp' as const, hostIp: '', hostPortStart: 8080, hostPortEnd: 8080 };

test('NetworkManager leases v6 addresses, wires them and publishes both families on one port', async () => {
  const { mgr, helperLines, nftScripts, ipLines, sysctls, sockets, container } = setup();
  const net = mgr.create({ name: 'v6net', subnet: '10.50.0.0/24', enableIPv6: true, subnet6: 'fd00:abcd::/64' });
  const a = container('a', { networkMode: 'v6net', portBindings: [web] });
  const setupA = await mgr.setUp(a);
  assert.deepEqual(setupA.addresses, ['10.50.0.2', 'fd00:abcd::2']);
  assert.ok(ipLines.includes(`addr replace fd00:abcd::1/64 dev ${net.bridge} nodad`));
  assert.ok(sysctls.includes('net/ipv6/conf/all/forwarding=1'));
  assert.ok(helperLines.flat().includes('addr6 eth0 fd00:abcd::2/64 fd00:abcd::1'));
  assert.deepEqual(mgr.view(a).ports.map((p) => `${p.hostIp}:${p.hostPort}`), ['0.0.0.0:8080', ':::8080']);
  // The v6 socket relays what nft leaves to it ([::1]) to the container's v6 address.
  assert.equal(sockets.get('::/8080'), 'fd00:abcd::2.80');
  assert.match(nftScripts.join(''), /table ip6 \S+ \{\n/);
  assert.match(nftScripts.join(''), /tcp \. 8080 : fd00:abcd::2 \. 80/);
  const b = container('b', { networkMode: 'v6net' });
  await mgr.setUp(b);
  assert.deepEqual(mgr.lookupName(net.id, 'c-b'), ['10.50.0.3', 'fd00:abcd::3']);
  const v = mgr.view(b).networks[0];
  assert.deepEqual([v?.ip6, v?.prefixLen6, v?.gateway6], ['fd00:abcd::3', 64, 'fd00:abcd::1']);
});

test('NetworkManager tears the ip6 table down with the last v6 network and relays [::] of v4-only containers', async () => {
  const { mgr, nftScripts, sockets, container } = setup();
  mgr.create({ name: 'v6net', enableIPv6: true, subnet6: 'fd00:abcd::/64' });
  const a = container('a', { networkMode: 'v6net' });
  await mgr.setUp(a);
  await mgr.release(a);
  await mgr.remove('v6net');
  assert.match(nftScripts.at(-1) ?? '', /table ip6 (\S+) \{\}\ndelete table ip6 \1\n$/);
  mgr.create({ name: 'v4net' });
  const b = container('b', { networkMode: 'v4net', portBindings: [web, { ...web, hostIp: '::1', hostPortStart: 8081, hostPortEnd: 8081 }] });
  const s = await mgr.setUp(b);
  assert.equal(s.addresses.length, 1);
  // An IPv4-only container: [::] and an explicit [::1] are relayed to its IPv4 address, as dockerd's docker-proxy does.
  assert.deepEqual(mgr.view(b).ports.map((p) => `${p.hostIp}:${p.hostPort}`), ['0.0.0.0:8080', ':::8080', '::1:8081']);
  assert.equal(sockets.get('::/8080'), `${s.addresses[0]}.80`);
  assert.equal(sockets.get('::1/8081'), `${s.addresses[0]}.80`);
});

test('NetworkManager refuses --ipv6 without a v6 subnet, as dockerd 20.10 does', () => {
  const { mgr } = setup();
  assert.throws(() => mgr.create({ name: 'x', enableIPv6: true }), /could not find an available, non-overlapping IPv6 address pool/);
});
