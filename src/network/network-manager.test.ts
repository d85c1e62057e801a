import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { silentLogger } from '../base/log.js';
import { initialState, type ContainerRecord } from '../container/container-record.js';
import { NetworkManager } from './network-manager.js';
import { NetworkStore } from './network-store.js';

/** Recording fakes for every kernel side effect; the manager's decisions are checked through them. */
function setup(opts: { takenPorts?: number[]; helper?: boolean } = {}) {
  const calls: string[] = [];
  const links = new Set<string>(['lo', 'eth0']);
  const nsFiles = new Set<string>();
  const open = new Set<number>();
  const containers = new Map<string, ContainerRecord>();
  const mgr = new NetworkManager({
    store: new NetworkStore(new Database(':memory:')),
    netns: {
      helper: opts.helper === true,
      setup: async (lines) => {
        for (const l of lines) {
          const c = /^create (\S+)/.exec(l);
          if (c?.[1]) nsFiles.add(c[1]);
          const v = /^veth \S+ \S+ (\S+)/.exec(l);
          if (v?.[1]) links.add(v[1]);
        }
        calls.push(`setup ${lines.map((l) => l.split(' ')[0] + (l.startsWith('elem') ? ' ' + l.split(' ')[1] : '')).join(',')}`);
      },
      create: async (path, lines) => {
        nsFiles.add(path);
        for (const l of lines) {
          const m = /peer name (\S+)/.exec(l);
          if (m?.[1]) links.add(m[1]);
        }
        calls.push(`netns create ${lines.length}`);
      },
      exec: async () => {},
      remove: async (path) => {
        nsFiles.delete(path);
      },
      list: async () => [...nsFiles],
    },
    ipBatch: async (lines) => {
      for (const l of lines) {
        const m = /^link add (\S+) type bridge/.exec(l);
        if (m?.[1]) links.add(m[1]);
      }
      calls.push(`ip ${lines.length}`);
    },
    ipBatchForce: async (lines) => {
      for (const l of lines) links.delete(l.replace(/^link del /, ''));
    },
    nft: async (script) => {
      const full = script.includes('delete table');
      calls.push(`nft ${full ? 'full' : 'delta'} ${/elements = \{ tcp|element.*tcp/.test(script) ? 'ports' : 'noports'}`);
    },
    host: { routes: () => ['192.0.2.0/24'], interfaces: () => [...links], sysctl: () => {} },
    reservePort: async (_proto, _ip, port) => {
      const p = port === 0 ? 40000 + open.size : port;
      if (open.has(p) || (opts.takenPorts ?? []).includes(p)) throw new Error('EADDRINUSE');
      open.add(p);
      return { port: p, close: async () => void open.delete(p) };
    },
    execRoot: '/tmp/x/exec',
    log: silentLogger,
    lookupContainer: (ref) => {
      const c = containers.get(ref) ?? [...containers.values()].find((r) => r.name === ref);
      if (!c) throw new Error(`No such container: ${ref}`);
      return c;
    },
  });
  mgr.init();
  const container = (id: string, host: Partial<ContainerRecord['spec']['host']> = {}, exposed: string[] = []): ContainerRecord => {
    const rec = {
      id: id.padEnd(64, '0'),
      name: `c-${id}`,
      created: '',
      state: { ...initialState(), status: 'running' as const, pid: 1 },
      restartCount: 0,
      wire: { config: {}, hostConfig: {} },
      spec: { exposedPorts: exposed, host: { networkMode: 'bridge', ...host } },
    } as unknown as ContainerRecord;
    containers.set(rec.id, rec);
    return rec;
  };
  return { mgr, calls, links, nsFiles, open, container };
}

test('NetworkManager gives each bridged container its own address, veth and namespace', async () => {
  const { mgr, links, nsFiles, container } = setup();
  const a = await mgr.setUp(container('a'));
  const b = await mgr.setUp(container('b'));
  assert.deepEqual(a.addresses, ['10.210.0.2']);
  assert.deepEqual(b.addresses, ['10.210.0.3']);
  assert.equal(a.resolver, undefined);
  assert.deepEqual(a.namespace, { kind: 'path', path: `/tmp/x/exec/netns/${'a'.padEnd(64, '0')}` });
  assert.equal(nsFiles.size, 2);
  assert.equal([...links].filter((l) => l.startsWith('sk')).length, 3); // bridge + 2 veths
});

test('NetworkManager publishes ports and releases everything on stop', async () => {
  const { mgr, links, nsFiles, open, container, calls } = setup();
  const rec = container('a', { portBindings: [{ containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 4000, hostPortEnd: 4000 }] });
  await mgr.setUp(rec);
  assert.deepEqual(mgr.view(rec).ports, [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 4000, containerPort: 80 }]);
  assert.ok(calls.includes('nft full ports'));
  await mgr.release(rec);
  assert.equal(open.size, 0);
  assert.equal(nsFiles.size, 0);
  assert.deepEqual([...links].filter((l) => l.includes('v')), []);
  assert.deepEqual(mgr.view(rec).ports, []);
  assert.equal(calls.at(-1), 'nft delta ports'); // only the element is deleted, the table stays
});

test('NetworkManager with the helper wires a start in one process and changes only port elements', async () => {
  const { mgr, nsFiles, links, container, calls } = setup({ helper: true });
  const port = (hostPortStart: number) => ({ portBindings: [{ containerPort: 80, proto: 'tcp' as const, hostIp: '', hostPortStart, hostPortEnd: hostPortStart }] });
  await mgr.setUp(container('a', port(4000)));
  // The first start brings the bridge up: the table is rendered whole (with a's port) once.
  assert.deepEqual(calls.filter((c) => !c.startsWith('ip')), ['nft full ports', 'setup create,lo-up,veth']);
  calls.length = 0;
  const b = container('b', port(4001));
  await mgr.setUp(b);
  assert.deepEqual(calls, ['setup create,lo-up,veth,elem add']);
  assert.equal(nsFiles.size, 2);
  assert.equal([...links].filter((l) => l.startsWith('sk') && l.includes('v')).length, 2);
  calls.length = 0;
  await mgr.setUp(container('c'));
  assert.deepEqual(calls, ['setup create,lo-up,veth']);
  calls.length = 0;
  await mgr.release(b);
  assert.deepEqual(calls, ['setup elem del']);
  assert.equal(nsFiles.size, 2);
});

test('NetworkManager refuses a taken port with Docker wording and rolls back the lease and namespace', async () => {
  const { mgr, nsFiles, open, container } = setup({ takenPorts: [4000] });
  const rec = container('a', { portBindings: [{ containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 4000, hostPortEnd: 4000 }] });
  await assert.rejects(mgr.setUp(rec), /Bind for 0\.0\.0\.0:4000 failed: port is already allocated/);
  assert.equal(nsFiles.size, 0);
  assert.equal(open.size, 0);
  const next = await mgr.setUp(container('b'));
  assert.deepEqual(next.addresses, ['10.210.0.2']); // the failed start's address was given back
});

test('NetworkManager ephemeral and -P ports get kernel-chosen host ports', async () => {
  const { mgr, container } = setup();
  const rec = container('a', { publishAllPorts: true, portBindings: [{ containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0 }] }, ['80/tcp', '53/udp']);
  await mgr.setUp(rec);
  const ports = mgr.view(rec).ports.map((p) => `${p.containerPort}/${p.proto}->${p.hostPort}`);
  assert.deepEqual(ports, ['80/tcp->40000', '53/udp->40001']);
});

test('NetworkManager user networks get their own subnet and a resolver; none gets only a namespace', async () => {
  const { mgr, container, nsFiles } = setup();
  const net = mgr.create({ name: 'appnet' });
  assert.equal(net.subnet, '10.211.0.0/16');
  const s = await mgr.setUp(container('a', { networkMode: 'appnet', endpoints: [{ network: 'appnet', aliases: ['alpha'], ipv4Address: '' }] }));
  assert.equal(s.resolver, '10.211.0.1');
  assert.deepEqual(mgr.lookupName(net.id, 'alpha'), ['10.211.0.2']);
  assert.deepEqual(mgr.lookupName(net.id, 'c-a'), ['10.211.0.2']);
  assert.deepEqual(mgr.lookupName(net.id, 'nope'), []);
  await assert.rejects(mgr.remove('appnet'), /has active endpoints/);
  const none = await mgr.setUp(container('n', { networkMode: 'none' }));
  assert.deepEqual(none.addresses, []);
  assert.equal(nsFiles.size, 2);
  assert.throws(() => mgr.create({ name: 'appnet' }), /already exists/);
  assert.throws(() => mgr.create({ name: 'x', subnet: '10.211.5.0/24' }), /Pool overlaps/);
});

test('NetworkManager container: mode joins a running container and refuses a stopped one', async () => {
  const { mgr, container } = setup();
  await mgr.setUp(container('a'));
  const joined = await mgr.setUp(container('j', { networkMode: `container:c-a` }));
  assert.deepEqual(joined.addresses, ['10.210.0.2']);
  const stopped = container('s');
  stopped.state.status = 'exited';
  await assert.rejects(mgr.setUp(container('k', { networkMode: 'container:c-s' })), /cannot join network of a non running container: c-s/);
});

test('NetworkManager reconcile drops leases of containers that are gone and stray own interfaces', async () => {
  const { mgr, container, links, nsFiles, open } = setup();
  await mgr.setUp(container('a', { portBindings: [{ containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 4000, hostPortEnd: 4000 }] }));
  await mgr.setUp(container('b'));
  links.add('sk00000vdeadbe'); // another daemon's veth: not ours to touch
  const tagged = [...links].find((l) => l.endsWith('0') && l.startsWith('sk'))!;
  links.add(`${tagged.slice(0, -1)}vstray1`);
  open.clear(); // the crashed daemon's sockets are gone
  await mgr.reconcile((id) => id.startsWith('a'));
  assert.equal(nsFiles.size, 1);
  assert.ok(open.has(4000), 'the running container keeps its port');
  assert.ok(links.has('sk00000vdeadbe'));
  assert.ok(!links.has(`${tagged.slice(0, -1)}vstray1`));
});

test('NetworkManager reconcile brings the default bridge up before any container uses it, and close takes it down', async () => {
  const { mgr, links, calls } = setup();
  assert.ok(![...links].some((l) => l.startsWith('sk') && l.endsWith('0')), 'no bridge before reconcile');
  await mgr.reconcile(() => false);
  const bridge = [...links].find((l) => l.startsWith('sk') && l.endsWith('0'));
  assert.ok(bridge, `links: ${[...links].join(', ')}`);
  assert.ok(calls.some((c) => c.startsWith('nft full')), 'the firewall is rendered for it');
  await mgr.close();
  assert.ok(!links.has(bridge), 'an idle daemon leaves no bridge behind at shutdown');
});

test('NetworkManager prune removes only unused networks the selection keeps', async () => {
  const { mgr } = setup();
  mgr.create({ name: 'keep', labels: { tier: 'db' } });
  mgr.create({ name: 'drop', labels: { tier: 'web' } });
  assert.deepEqual(await mgr.prune((n) => n.labels['tier'] === 'web'), ['drop']);
  assert.deepEqual(mgr.list().map((n) => n.name).filter((n) => n === 'keep' || n === 'drop'), ['keep']);
  assert.deepEqual(await mgr.prune(), ['keep']);
});
