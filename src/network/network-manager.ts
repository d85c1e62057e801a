import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, EngineError, invalidParameter, notFound, systemError } from '../base/engine-error.js';
import { newId } from '../base/ids.js';
import { KeyedMutex } from '../base/keyed-mutex.js';
import type { Logger } from '../base/log.js';
import { rfc3339Nano } from '../base/rfc3339.js';
import type { ContainerRecord, EndpointSpec } from '../container/container-record.js';
import type { NetHost } from '../sys/net-host.js';
import type { NetnsDriver } from '../sys/netns.js';
import type { PortReservation, PortReserver } from '../sys/net-ports.js';
import { allocateAddress, checkSubnet, defaultGateway, defaultSubnetPool, macForAddress, pickSubnet } from './address-plan.js';
import { startDnsServer } from './dns-server.js';
import { formatCidr, formatIPv4, parseCidr, parseIPv4, type Cidr } from './ipv4.js';
import { bridgeUpLines, containerSideLines, hostSideLines, linkDeleteLines, type EndpointPlan } from './link-plan.js';
import { defaultBridgeName, isOwnInterface, networkTag, userBridgeName, vethName } from './net-names.js';
import type { ContainerNetView } from './container-net-view.js';
import type { EndpointRecord, NetworkRecord, NetworkStore } from './network-store.js';
import { netsetupLines, type NetnsUserns } from './netsetup-plan.js';
import { renderRuleset, renderTeardown } from './nft-ruleset.js';
import { diffPortElements, isEmptyDelta, portElementKey, portElementLines, portElementScript, type PortElement, type PortElementDelta } from './port-elements.js';
import { withPublishAll, type PortBindingSpec, type PublishedPort } from './port-bindings.js';
import { leaseIPv6, planNetworkIPv6 } from './address-plan6.js';
import { parseCidr6 } from './ipv6.js';
import { renderRuleset6, renderTeardown6 } from './nft-ruleset6.js';
import { bindTargets, endpointPortElements, type BindTarget } from './port-families.js';

export interface NetworkManagerDeps {
  store: NetworkStore;
  netns: NetnsDriver;
  ipBatch(lines: readonly string[]): Promise<void>;
  ipBatchForce(lines: readonly string[]): Promise<void>;
  nft(script: string): Promise<void>;
  host: NetHost;
  reservePort: PortReserver;
  execRoot: string;
  log: Logger;
  /** Resolves a container reference (for container: mode, connect and DNS names). */
  lookupContainer(ref: string): ContainerRecord;
}

/** What the start preparer needs from networking. */
export interface NetworkSetup {
  namespace: { kind: 'host' } | { kind: 'path'; path: string };
  /** The container's own addresses, for /etc/hosts. */
  addresses: string[];
  /** The embedded DNS server's address when on a user network (for resolv.conf). */
  resolver: string | undefined;
}

export interface CreateNetworkOptions {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  /** EnableIPv6 and the IPv6 subnet/gateway (IPAM config entries with a v6 subnet). */
  enableIPv6?: boolean;
  subnet6?: string;
  gateway6?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  checkDuplicate?: boolean;
}

interface Wanted {
  net: NetworkRecord;
  aliases: string[];
  ipv4: string;
}

const predefined = new Set(['bridge', 'host', 'none']);
const forbidden = (message: string) => new EngineError('Forbidden', message);

/**
 * Container networking: networks and their bridges, leases, per-container namespaces and veths,
 * published ports, the nft table, embedded DNS. Decisions come from the pure planners beside it;
 * every kernel change goes through the injected sys drivers.
 */
export class NetworkManager {
  readonly tag: string;
  private readonly netnsDir: string;
  private readonly reservations = new Map<string, PortReservation[]>();
  private readonly dns = new Map<string, { close(): Promise<void> }>();
  private readonly bridgesUp = new Set<string>();
  private readonly locks = new KeyedMutex();
  private fwChain: Promise<void> = Promise.resolve();
  private forwardingOn = false;
  private forwarding6On = false;
  /** What the kernel holds in skiff's table: the rules without ports, and the port elements. */
  private applied: { structure: string; ports: Map<string, PortElement> } | undefined;

  constructor(private readonly deps: NetworkManagerDeps) {
    this.tag = networkTag(deps.execRoot);
    this.netnsDir = join(deps.execRoot, 'netns');
  }

  netnsPath(containerId: string): string {
    return join(this.netnsDir, containerId);
  }

  /** Makes sure the predefined networks exist (the default bridge keeps its subnet once chosen). */
  init(): void {
    const { store } = this.deps;
    const have = new Set(store.networks().map((n) => n.name));
    if (!have.has('bridge')) {
      const taken = [...this.hostRoutes(), ...this.subnets()];
      const subnet = pickSubnet(defaultSubnetPool(), taken);
      store.insertNetwork(this.record('bridge', 'bridge', subnet, defaultGateway(subnet), defaultBridgeName(this.tag), false, {}, {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.name': defaultBridgeName(this.tag),
      }));
    }
    if (!have.has('host')) store.insertNetwork(this.record('host', 'host', undefined, 0, '', false, {}, {}));
    if (!have.has('none')) store.insertNetwork(this.record('none', 'null', undefined, 0, '', false, {}, {}));
  }

  private record(name: string, driver: string, subnet: Cidr | undefined, gateway: number, bridge: string, internal: boolean, labels: Record<string, string>, options: Record<string, string>): NetworkRecord {
    return {
      id: newId(),
      name,
      driver,
      subnet: subnet ? formatCidr(subnet) : '',
      gateway: subnet ? formatIPv4(gateway) : '',
      bridge,
      internal,
      labels,
      options,
      created: rfc3339Nano(),
    };
  }

  private hostRoutes(): Cidr[] {
    const own = new Set(this.deps.store.networks().map((n) => n.subnet));
    return this.deps.host
      .routes()
      .filter((r) => !own.has(r))
      .map((r) => parseCidr(r));
  }

  private subnets(): Cidr[] {
    return this.deps.store
      .networks()
      .filter((n) => n.subnet)
      .map((n) => parseCidr(n.subnet));
  }

  // --- networks -------------------------------------------------------------------------------

  list(): NetworkRecord[] {
    return this.deps.store.networks();
  }

  /** Full ID, name, or unique ID prefix; Docker's 404 wording otherwise. */
  resolve(ref: string): NetworkRecord {
    const all = this.deps.store.networks();
    const hit = all.find((n) => n.id === ref) ?? all.find((n) => n.name === ref);
    if (hit) return hit;
    const byPrefix = all.filter((n) => n.id.startsWith(ref));
    if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
    if (byPrefix.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw notFound(`network ${ref} not found`);
  }

  create(opts: CreateNetworkOptions): NetworkRecord {
    const driver = opts.driver || 'bridge';
    if (!opts.name) throw invalidParameter('network name is required');
    if (driver !== 'bridge') throw invalidParameter(`plugin "${driver}" not found`);
    if (predefined.has(opts.name)) throw forbidden(`operation is not permitted on predefined ${opts.name} network `);
    if (this.deps.store.networks().some((n) => n.name === opts.name)) throw conflict(`network with name ${opts.name} already exists`);
    const taken = [...this.hostRoutes(), ...this.subnets()];
    let subnet: Cidr;
    let gateway: number;
    if (opts.subnet) {
      ({ subnet, gateway } = checkSubnet(opts.subnet, opts.gateway, taken));
    } else {
      if (opts.gateway) throw invalidParameter('a gateway needs a subnet (--subnet)');
      subnet = pickSubnet(defaultSubnetPool(), taken);
      gateway = defaultGateway(subnet);
    }
    const v6 = planNetworkIPv6(opts, this.deps.store.networks().filter((n) => n.enableIPv6 && n.subnet6).map((n) => parseCidr6(n.subnet6 ?? '')));
    const id = newId();
    const rec: NetworkRecord = {
      ...this.record(opts.name, 'bridge', subnet, gateway, userBridgeName(this.tag, id), opts.internal === true, opts.labels ?? {}, opts.options ?? {}),
      id,
      ...v6,
    };
    this.deps.store.insertNetwork(rec);
    return rec;
  }

  /** Containers with a lease on the network (running ones). */
  endpointsOn(networkId: string): EndpointRecord[] {
    return this.deps.store.endpoints().filter((e) => e.networkId === networkId);
  }

  async remove(ref: string): Promise<void> {
    const net = this.resolve(ref);
    if (predefined.has(net.name)) throw forbidden(`${net.name} is a pre-defined network and cannot be removed`);
    const users = this.endpointsOn(net.id);
    if (users.length > 0) {
      const names = users.map((e) => this.containerName(e.containerId));
      throw conflict(`error while removing network: network ${net.name} id ${net.id} has active endpoints (${names.join(', ')})`);
    }
    await this.locks.run(`net:${net.id}`, async () => {
      this.deps.store.deleteNetwork(net.id);
      await this.bridgeDown(net);
    });
    await this.syncFirewall();
  }

  /** Removes unused user networks; `selected` narrows them (the API's label filters). */
  async prune(selected: (n: NetworkRecord) => boolean = () => true): Promise<string[]> {
    const removed: string[] = [];
    for (const n of this.list()) {
      if (predefined.has(n.name) || !selected(n) || this.endpointsOn(n.id).length > 0 || this.deps.store.attachmentCount(n.id) > 0) continue;
      await this.remove(n.id).then(() => removed.push(n.name), () => {});
    }
    return removed;
  }

  async connect(netRef: string, containerRef: string, ep: { aliases?: string[]; ipv4?: string }): Promise<void> {
    const net = this.resolve(netRef);
    const rec = this.deps.lookupContainer(containerRef);
    const mode = rec.spec.host.networkMode;
    if (net.driver !== 'bridge') throw forbidden(`container cannot be disconnected from host network or connected to host network`);
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw forbidden(`container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    if (this.wanted(rec).some((w) => w.net.id === net.id)) {
      throw forbidden(`endpoint with name ${rec.name} already exists in network ${net.name}`);
    }
    this.deps.store.saveAttachment({ containerId: rec.id, networkId: net.id, aliases: ep.aliases ?? [], ipv4: ep.ipv4 ?? '', connected: true });
    if (rec.state.status !== 'running') return;
    try {
      await this.locks.run(rec.id, () => this.attach(rec, [{ net, aliases: ep.aliases ?? [], ipv4: ep.ipv4 ?? '' }], false));
    } catch (err) {
      this.deps.store.saveAttachment({ containerId: rec.id, networkId: net.id, aliases: [], ipv4: '', connected: false });
      throw err;
    }
  }

  async disconnect(netRef: string, containerRef: string): Promise<void> {
    const net = this.resolve(netRef);
    const rec = this.deps.lookupContainer(containerRef);
    if (!this.wanted(rec).some((w) => w.net.id === net.id)) {
      throw forbidden(`container ${rec.id} is not connected to network ${net.name}`);
    }
    this.deps.store.saveAttachment({ containerId: rec.id, networkId: net.id, aliases: [], ipv4: '', connected: false });
    const ep = this.deps.store.endpointsOf(rec.id).find((e) => e.networkId === net.id);
    if (ep) await this.locks.run(rec.id, () => this.detach([ep]));
  }

  // --- containers -----------------------------------------------------------------------------

  /** The networks a container should be on: its create-time ones plus connects, minus disconnects. */
  wanted(rec: ContainerRecord): Wanted[] {
    const h = rec.spec.host;
    const mode = h.networkMode;
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return [];
    const specs: EndpointSpec[] = [];
    const first = h.endpoints?.find((e) => e.network === mode);
    specs.push(first ?? { network: mode, aliases: [], ipv4Address: '' });
    for (const e of h.endpoints ?? []) if (e !== first && e.network !== mode) specs.push(e);
    const out: Wanted[] = specs.map((s) => ({ net: this.resolve(s.network), aliases: s.aliases, ipv4: s.ipv4Address }));
    const atts = this.deps.store.attachments(rec.id);
    for (const a of atts) {
      const net = this.deps.store.network(a.networkId);
      if (a.connected && net && !out.some((w) => w.net.id === a.networkId)) out.push({ net, aliases: a.aliases, ipv4: a.ipv4 });
    }
    return out.filter((w) => !atts.some((a) => !a.connected && a.networkId === w.net.id));
  }

  /** Called by the start preparer before the runtime starts; undoes itself on failure. */
  async setUp(rec: ContainerRecord, opts: { userns?: NetnsUserns } = {}): Promise<NetworkSetup> {
    const mode = rec.spec.host.networkMode;
    if (mode === 'host') return { namespace: { kind: 'host' }, addresses: [], resolver: undefined };
    if (mode.startsWith('container:')) return this.joinContainer(rec, mode.slice('container:'.length));
    const wanted = this.wanted(rec);
    return this.locks.run(rec.id, async () => {
      // A start after a crash may find the previous run's leftovers.
      await this.releaseLocked(rec.id, false);
      try {
        const t0 = performance.now();
        await mkdir(this.netnsDir, { recursive: true, mode: 0o700 });
        const eps = await this.attach(rec, wanted, true, opts.userns);
        this.deps.log.debug('network set up', { id: rec.id, ms: Math.round(performance.now() - t0) });
        const resolverNet = wanted.find((w) => w.net.name !== 'bridge');
        return {
          namespace: { kind: 'path', path: this.netnsPath(rec.id) },
          addresses: eps.flatMap((e) => (e.ip6 ? [e.ip, e.ip6] : [e.ip])),
          resolver: resolverNet?.net.gateway,
        };
      } catch (err) {
        await this.releaseLocked(rec.id, true);
        throw err;
      }
    });
  }

  private joinContainer(rec: ContainerRecord, ref: string): NetworkSetup {
    const other = this.deps.lookupContainer(ref);
    if (other.id === rec.id) throw invalidParameter('cannot join own network');
    if (other.state.status !== 'running') throw conflict(`cannot join network of a non running container: ${ref}`);
    const otherMode = other.spec.host.networkMode;
    if (otherMode === 'host') return { namespace: { kind: 'host' }, addresses: [], resolver: undefined };
    const path = this.netnsPath(other.id);
    const eps = this.deps.store.endpointsOf(other.id);
    const resolverNet = eps.map((e) => this.deps.store.network(e.networkId)).find((n) => n && n.name !== 'bridge');
    return {
      namespace: { kind: 'path', path: existsSync(path) ? path : `/proc/${other.state.pid}/ns/net` },
      addresses: eps.flatMap((e) => (e.ip6 ? [e.ip, e.ip6] : [e.ip])),
      resolver: resolverNet?.gateway,
    };
  }

  /** Leases addresses, reserves ports, wires veths and updates the firewall for `wanted` networks. */
  private async attach(rec: ContainerRecord, wanted: Wanted[], createNs: boolean, userns?: NetnsUserns): Promise<EndpointRecord[]> {
    const { store } = this.deps;
    const existing = store.endpointsOf(rec.id);
    const eps: EndpointRecord[] = [];
    const plans: EndpointPlan[] = [];
    let index = existing.length;
    for (const w of wanted) {
      const subnet = parseCidr(w.net.subnet);
      const gw = parseIPv4(w.net.gateway) ?? defaultGateway(subnet);
      const used = new Set(this.endpointsOn(w.net.id).map((e) => parseIPv4(e.ip) ?? 0));
      const ip = allocateAddress(subnet, gw, used, w.ipv4 || undefined);
      const six = leaseIPv6(w.net, this.endpointsOn(w.net.id).map((e) => e.ip6));
      const ifname = `eth${index++}`;
      const ep: EndpointRecord = {
        containerId: rec.id,
        networkId: w.net.id,
        endpointId: newId(),
        ip: formatIPv4(ip),
        mac: macForAddress(ip),
        veth: vethName(this.tag, rec.id, w.net.id),
        ifname,
        aliases: w.aliases,
        ports: [],
        ip6: six?.ip6 ?? '',
      };
      store.insertEndpoint(ep); // the lease is recorded first, so a crash leaves something to clean
      eps.push(ep);
      plans.push({
        ifname,
        hostVeth: ep.veth,
        mac: ep.mac,
        addressCidr: `${ep.ip}/${subnet.prefix}`,
        defaultGateway: ifname === 'eth0' && !w.net.internal ? w.net.gateway : undefined,
        bridge: w.net.bridge,
        address6Cidr: six ? `${six.ip6}/${six.prefix}` : undefined,
        defaultGateway6: six && ifname === 'eth0' && !w.net.internal ? w.net.gateway6 : undefined,
      });
    }
    // Ports are published on the first network that can reach out.
    const portNet = eps.find((e, i) => createNs && i === 0 && !wanted[i]?.net.internal);
    if (portNet) {
      portNet.ports = await this.reservePorts(rec, portNet);
      store.deleteEndpoint(portNet.containerId, portNet.networkId);
      store.insertEndpoint(portNet);
    }
    for (const w of wanted) await this.bridgeUp(w.net);
    const path = this.netnsPath(rec.id);
    if (this.deps.netns.helper) {
      // One process does the namespace, the links and this container's port elements; it runs
      // as a firewall step so element changes stay serialised with full re-renders.
      const lines = netsetupLines(createNs ? { create: path, userns } : { enter: path }, plans);
      await this.firewallStep((delta) => this.deps.netns.setup([...lines, ...portElementLines(this.tag, delta)]));
      return eps;
    }
    // A net namespace owned by a user namespace needs the helper (it mounts both at once).
    if (userns) throw systemError('user namespaces need skiff-netsetup (run `make -C src/netsetup`)');
    const hostNs = `/proc/${process.pid}/ns/net`;
    const inside = plans.flatMap((p) => containerSideLines(p, hostNs));
    const firewall = this.syncFirewall();
    if (createNs) await this.deps.netns.create(path, inside);
    else await this.deps.netns.exec(path, inside);
    await this.deps.ipBatch(plans.flatMap(hostSideLines));
    await firewall;
    return eps;
  }

  private async reservePorts(rec: ContainerRecord, ep: EndpointRecord): Promise<PublishedPort[]> {
    const h = rec.spec.host;
    const specs = withPublishAll(h.portBindings ?? [], rec.spec.exposedPorts, h.publishAllPorts === true);
    const held: PortReservation[] = [];
    this.reservations.set(rec.id, held);
    const out: PublishedPort[] = [];
    for (const s of specs) {
      // A binding may need several sockets (0.0.0.0 and :: with IPv6), all on one host port.
      const targets = bindTargets(s, ep.ip, ep.ip6 || undefined);
      const hostIp = targets[0]?.hostIp ?? '0.0.0.0';
      if (targets.length === 0) continue;
      let got: Array<{ target: BindTarget; reservation: PortReservation }> | undefined;
      for (let port = s.hostPortStart; port <= s.hostPortEnd && !got; port++) {
        got = await this.reserveAll(s, targets, port);
      }
      if (!got?.[0]) {
        const port = s.hostPortStart === s.hostPortEnd ? String(s.hostPortStart) : `${s.hostPortStart}-${s.hostPortEnd}`;
        throw new EngineError(
          'System',
          `driver failed programming external connectivity on endpoint ${rec.name} (${ep.endpointId}): Bind for ${hostIp}:${port} failed: port is already allocated`,
        );
      }
      held.push(...got.map((g) => g.reservation));
      for (const g of got) out.push({ proto: s.proto, hostIp: g.target.hostIp, hostPort: got[0].reservation.port, containerPort: s.containerPort });
    }
    return out;
  }

  /**
   * Reserves every target on one port (port 0: the kernel's pick for the first), or none; an
   * optional target that cannot be had (no IPv6 on the host, its port taken) is left out.
   */
  private async reserveAll(
    s: PortBindingSpec,
    targets: readonly BindTarget[],
    port: number,
  ): Promise<Array<{ target: BindTarget; reservation: PortReservation }> | undefined> {
    const required = targets.filter((t) => !t.optional).length;
    for (let attempt = 0; attempt < (port === 0 && required > 1 ? 5 : 1); attempt++) {
      const got: Array<{ target: BindTarget; reservation: PortReservation }> = [];
      let failed = false;
      for (const t of targets) {
        const relay = t.relayTo ? { address: t.relayTo, port: s.containerPort } : undefined;
        const r = await this.deps.reservePort(s.proto, t.hostIp === '0.0.0.0' ? '' : t.hostIp, got[0]?.reservation.port ?? port, relay).catch(() => undefined);
        if (r) got.push({ target: t, reservation: r });
        else if (!t.optional) {
          failed = true;
          break;
        }
      }
      if (!failed && got.length > 0) return got;
      for (const g of got) await g.reservation.close();
    }
    return undefined;
  }

  /** The `released` hook: after a stop or a failed start. Idempotent. */
  async release(rec: ContainerRecord): Promise<void> {
    await this.locks.run(rec.id, () => this.releaseLocked(rec.id, true));
  }

  /** The `removed` hook: also forgets connects/disconnects. */
  async removed(rec: ContainerRecord): Promise<void> {
    await this.release(rec);
    this.deps.store.forgetContainer(rec.id);
  }

  private async releaseLocked(containerId: string, sync: boolean): Promise<void> {
    const eps = this.deps.store.endpointsOf(containerId);
    const path = this.netnsPath(containerId);
    const hadNs = (await this.deps.netns.list(this.netnsDir)).includes(path);
    if (eps.length === 0 && !hadNs && !this.reservations.has(containerId)) return;
    await this.detach(eps, sync && eps.length > 0);
    for (const r of this.reservations.get(containerId) ?? []) await r.close();
    this.reservations.delete(containerId);
    if (hadNs) await this.deps.netns.remove(path);
  }

  private async detach(eps: EndpointRecord[], sync = true): Promise<void> {
    // Deleting the host end takes the container end with it, synchronously (a netns teardown
    // alone would free the veth later, racing a quick restart that reuses its name).
    await this.deps.ipBatchForce(linkDeleteLines(eps.map((e) => e.veth).filter((v) => this.deps.host.interfaces().includes(v))));
    for (const e of eps) this.deps.store.deleteEndpoint(e.containerId, e.networkId);
    if (sync) await this.syncFirewall();
  }

  /** Inspect's and ps's view: the leases of a running container, the configured networks otherwise. */
  view(rec: ContainerRecord): ContainerNetView {
    const mode = rec.spec.host.networkMode;
    const eps = this.deps.store.endpointsOf(rec.id);
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    const sandboxKey = running && mode !== 'host' && !mode.startsWith('container:') ? this.netnsPath(rec.id) : '';
    if (mode === 'host' || mode === 'none') {
      const net = this.deps.store.networks().find((n) => n.name === mode);
      const one = { name: mode, networkId: net?.id ?? '', endpointId: '', ip: '', prefixLen: 0, gateway: '', mac: '', aliases: [], dnsNames: [] };
      return { networks: [one], ports: [], sandboxKey };
    }
    let wanted: Wanted[] = [];
    try {
      wanted = this.wanted(rec);
    } catch {
      /* a network removed since: shown without it */
    }
    const networks = wanted.map((w) => {
      const ep = running ? eps.find((e) => e.networkId === w.net.id) : undefined;
      const user = w.net.name !== 'bridge';
      return {
        name: w.net.name,
        networkId: w.net.id,
        endpointId: ep?.endpointId ?? '',
        ip: ep?.ip ?? '',
        prefixLen: ep ? parseCidr(w.net.subnet).prefix : 0,
        gateway: ep ? w.net.gateway : '',
        ip6: ep?.ip6 ?? '',
        prefixLen6: ep?.ip6 && w.net.subnet6 ? parseCidr6(w.net.subnet6).prefix : 0,
        gateway6: ep?.ip6 ? (w.net.gateway6 ?? '') : '',
        mac: ep?.mac ?? '',
        aliases: w.aliases,
        dnsNames: user && ep ? [rec.name, rec.id.slice(0, 12), ...w.aliases] : [],
      };
    });
    return { networks, ports: running ? eps.flatMap((e) => e.ports) : [], sandboxKey };
  }

  // --- kernel state ---------------------------------------------------------------------------

  private async bridgeUp(net: NetworkRecord): Promise<void> {
    if (this.bridgesUp.has(net.bridge)) return;
    await this.locks.run(`net:${net.id}`, async () => {
      if (this.bridgesUp.has(net.bridge)) return;
      const prefix = parseCidr(net.subnet).prefix;
      const exists = this.deps.host.interfaces().includes(net.bridge);
      const v6 = net.enableIPv6 && net.subnet6 ? `${net.gateway6}/${parseCidr6(net.subnet6).prefix}` : undefined;
      await this.deps.ipBatch(bridgeUpLines(net.bridge, `${net.gateway}/${prefix}`, exists, v6));
      // Routing v6 between bridges and the outside, as dockerd does for a network with IPv6.
      if (v6 && !this.forwarding6On) {
        this.deps.host.sysctl('net/ipv6/conf/all/forwarding', '1');
        this.forwarding6On = true;
      }
      // Loopback-sourced traffic may be routed into the bridge (curl localhost:PORT → DNAT).
      this.deps.host.sysctl(`net/ipv4/conf/${net.bridge}/route_localnet`, '1');
      if (!this.forwardingOn) {
        this.deps.host.sysctl('net/ipv4/ip_forward', '1');
        this.forwardingOn = true;
      }
      if (net.name !== 'bridge' && !this.dns.has(net.id)) {
        const server = await startDnsServer({
          address: net.gateway,
          lookup: (name) => this.lookupName(net.id, name),
          upstreams: () => (net.internal ? [] : hostNameservers()),
          log: this.deps.log,
        }).catch((err: unknown) => {
          this.deps.log.warn('embedded DNS server did not start', { network: net.name, err });
          return undefined;
        });
        if (server) this.dns.set(net.id, server);
      }
      this.bridgesUp.add(net.bridge);
    });
  }

  private async bridgeDown(net: NetworkRecord): Promise<void> {
    await this.dns.get(net.id)?.close();
    this.dns.delete(net.id);
    this.bridgesUp.delete(net.bridge);
    if (net.bridge && this.deps.host.interfaces().includes(net.bridge)) await this.deps.ipBatchForce(linkDeleteLines([net.bridge]));
  }

  /** Addresses of the containers on a network known by `name`: container name, short ID or alias. */
  lookupName(networkId: string, name: string): string[] {
    const out: string[] = [];
    for (const e of this.endpointsOn(networkId)) {
      const names = [...e.aliases.map((a) => a.toLowerCase()), e.containerId.slice(0, 12)];
      try {
        names.push(this.deps.lookupContainer(e.containerId).name.toLowerCase());
      } catch {
        /* removed meanwhile */
      }
      if (names.includes(name)) out.push(e.ip, ...(e.ip6 ? [e.ip6] : []));
    }
    return out;
  }

  private containerName(id: string): string {
    try {
      return this.deps.lookupContainer(id).name;
    } catch {
      return id;
    }
  }

  /** Brings skiff's nft table in line with the leases, serialised. */
  syncFirewall(): Promise<void> {
    return this.firewallStep(undefined);
  }

  /**
   * One serialised firewall change. When the rules themselves must change (a bridge came or
   * went) the whole table is re-rendered in one `nft -f -` transaction, ports included. Otherwise
   * only the port elements that differ are added or deleted: by `work` (the caller's
   * skiff-netsetup run, which carries them), by the helper alone, or by an incremental nft script
   * without it. Any failure forgets what was applied, so the next step re-renders everything.
   */
  private firewallStep(work: ((delta: PortElementDelta) => Promise<void>) | undefined): Promise<void> {
    const run = async () => {
      const eps = this.deps.store.endpoints();
      const active = this.deps.store.networks().filter((n) => n.driver === 'bridge' && (this.bridgesUp.has(n.bridge) || eps.some((e) => e.networkId === n.id)));
      const networks = active.map((n) => ({ bridge: n.bridge, subnet: n.subnet, internal: n.internal }));
      const networks6 = active.map((n) => ({ bridge: n.bridge, subnet6: n.enableIPv6 ? (n.subnet6 ?? '') : '', internal: n.internal }));
      const ports: PortElement[] = eps.flatMap((e) => endpointPortElements(e));
      // The ip table gets the v4 elements, skiff's ip6 table (nft-ruleset6.ts) the v6 ones.
      const ports6 = ports.filter((p) => p.containerIp.includes(':'));
      const ports4 = ports.filter((p) => !p.containerIp.includes(':'));
      const wanted = new Map(ports.map((p) => [portElementKey(p), p]));
      const structure = renderRuleset(this.tag, { networks, ports: [] }) + renderRuleset6(this.tag, { networks: networks6, ports: [] });
      const applied = this.applied;
      this.applied = undefined;
      let delta: PortElementDelta = { add: [], del: [] };
      if (applied?.structure !== structure) {
        await this.deps.nft(renderRuleset(this.tag, { networks, ports: ports4 }) + renderRuleset6(this.tag, { networks: networks6, ports: ports6 }));
      } else {
        delta = diffPortElements(applied.ports, wanted);
      }
      if (work) await work(delta);
      else if (!isEmptyDelta(delta)) {
        if (this.deps.netns.helper) await this.deps.netns.setup(portElementLines(this.tag, delta));
        else await this.deps.nft(portElementScript(this.tag, delta));
      }
      this.applied = { structure, ports: wanted };
    };
    const next = this.fwChain.then(run, run);
    this.fwChain = next.catch(() => {});
    return next;
  }

  /**
   * Startup: drop leases of containers that are not running, hold the ports of those that are,
   * delete own veths and namespace files nothing refers to, and rebuild the firewall.
   */
  async reconcile(isRunning: (containerId: string) => boolean): Promise<void> {
    const { store } = this.deps;
    for (const e of store.endpoints()) {
      if (!isRunning(e.containerId)) await this.releaseLocked(e.containerId, false);
    }
    const live = store.endpoints();
    for (const id of new Set(live.map((e) => e.containerId))) {
      const held: PortReservation[] = [];
      for (const [e, p] of live.filter((x) => x.containerId === id).flatMap((x) => x.ports.map((q) => [x, q] as const))) {
        const relay = p.hostIp.includes(':') && p.proto === 'tcp' ? { address: e.ip6 || e.ip, port: p.containerPort } : undefined;
        const r = await this.deps.reservePort(p.proto, p.hostIp === '0.0.0.0' ? '' : p.hostIp, p.hostPort, relay).catch(() => undefined);
        if (r) held.push(r);
      }
      this.reservations.set(id, held);
    }
    const files = await this.deps.netns.list(this.netnsDir);
    for (const f of files) {
      const id = f.slice(this.netnsDir.length + 1);
      if (!isRunning(id)) await this.deps.netns.remove(f);
    }
    const veths = new Set(live.map((e) => e.veth));
    const wantedBridges = new Set(store.networks().filter((n) => live.some((e) => e.networkId === n.id)).map((n) => n.bridge));
    // The default bridge is up from the start, as dockerd's docker0 is: its gateway is the host as
    // containers see it, which clients connect to before any container runs (testcontainers in a
    // container uses it as the host of mapped ports), and its route marks its subnet as taken
    // for other engines on the host from the moment the subnet is picked.
    const defaultBridge = store.networks().find((n) => n.name === 'bridge')?.bridge;
    if (defaultBridge) wantedBridges.add(defaultBridge);
    const stale = this.deps.host.interfaces().filter((i) => isOwnInterface(this.tag, i) && !veths.has(i) && !wantedBridges.has(i));
    await this.deps.ipBatchForce(linkDeleteLines(stale));
    for (const n of store.networks()) if (wantedBridges.has(n.bridge)) await this.bridgeUp(n);
    if (wantedBridges.size > 0) await this.syncFirewall();
    else await this.deps.nft(renderTeardown(this.tag) + renderTeardown6(this.tag)).catch(() => {});
  }


  /**
   * Daemon shutdown. Running containers keep their networking (they outlive skiffd); when none
   * is left, everything skiff made in the kernel goes: bridges, the nft table, the netns dir.
   */
  async close(): Promise<void> {
    for (const s of this.dns.values()) await s.close();
    this.dns.clear();
    for (const list of this.reservations.values()) for (const r of list) await r.close();
    this.reservations.clear();
    await this.fwChain;
    if (this.deps.store.endpoints().length > 0) return;
    const bridges = this.deps.store.networks().map((n) => n.bridge).filter((b) => b && this.deps.host.interfaces().includes(b));
    await this.deps.ipBatchForce(linkDeleteLines(bridges));
    this.bridgesUp.clear();
    this.applied = undefined;
    await this.deps.nft(renderTeardown(this.tag) + renderTeardown6(this.tag)).catch((err: unknown) => this.deps.log.warn('nft teardown failed', { err }));
    await rmdir(this.netnsDir).catch(() => {});
  }
}

/** The host's nameservers, which skiffd (in the host's namespace) can query directly. */
function hostNameservers(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}
