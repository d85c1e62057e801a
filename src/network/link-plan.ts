/**
 * `ip -batch` lines for skiff's links. Pure: the executors in sys/ run them. The container side
 * runs inside the container's namespace (the process that creates it), the host side in skiffd's.
 */

export function bridgeUpLines(bridge: string, gatewayCidr: string, exists: boolean, gateway6Cidr?: string): string[] {
  return [
    ...(exists ? [] : [`link add ${bridge} type bridge`]),
    `addr replace ${gatewayCidr} dev ${bridge}`,
    // No DAD: the gateway must answer at once, before the first container's packets.
    ...(gateway6Cidr ? [`addr replace ${gateway6Cidr} dev ${bridge} nodad`] : []),
    `link set ${bridge} up`,
  ];
}

export function linkDeleteLines(names: readonly string[]): string[] {
  return names.map((n) => `link del ${n}`);
}

export interface EndpointPlan {
  /** Name inside the container: eth0, eth1… */
  ifname: string;
  /** Host-side veth name. */
  hostVeth: string;
  mac: string;
  /** "10.210.0.2/16". */
  addressCidr: string;
  /** The default route's gateway; undefined for internal networks and secondary networks. */
  defaultGateway: string | undefined;
  bridge: string;
  /** "fd00:abcd::2/64" on a network with IPv6; undefined otherwise. */
  address6Cidr?: string | undefined;
  /** The IPv6 default route's gateway, on the same terms as defaultGateway. */
  defaultGateway6?: string | undefined;
}

/**
 * Run inside the container's namespace: creates the pair there and pushes the host end out to
 * `hostNs` (a path to skiffd's net namespace), so the container end never appears on the host.
 */
export function containerSideLines(ep: EndpointPlan, hostNs: string): string[] {
  return [
    `link add ${ep.ifname} address ${ep.mac} type veth peer name ${ep.hostVeth} netns ${hostNs}`,
    `addr add ${ep.addressCidr} dev ${ep.ifname}`,
    `link set ${ep.ifname} up`,
    ...(ep.defaultGateway ? [`route add default via ${ep.defaultGateway} dev ${ep.ifname}`] : []),
    ...(ep.address6Cidr ? [`addr add ${ep.address6Cidr} dev ${ep.ifname} nodad`] : []),
    ...(ep.address6Cidr && ep.defaultGateway6 ? [`route add default via ${ep.defaultGateway6} dev ${ep.ifname}`] : []),
  ];
}

/** Run on the host: plug the host end into the bridge (hairpin lets a container reach its own published port). */
export function hostSideLines(ep: EndpointPlan): string[] {
  return [`link set ${ep.hostVeth} master ${ep.bridge}`, `link set ${ep.hostVeth} type bridge_slave hairpin on`, `link set ${ep.hostVeth} up`];
}
