import { conflict, invalidParameter } from '../base/engine-error.js';
import { cidr6Contains, cidr6Last, cidr6Overlaps, formatCidr6, formatIPv6, parseCidr6, parseIPv6, type Cidr6 } from './ipv6.js';

/**
 * IPv6 subnets of user networks (`network create --ipv6 --subnet fd00::/64`). Docker 20.10 has
 * no default IPv6 pool, so a v6 subnet is always the user's; the gateway is the first address
 * unless given, and containers get the lowest free address after it, as for IPv4.
 */

/** Docker 20.10's error for `--ipv6` without an IPv6 subnet. */
export const noIPv6PoolMessage = 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network';

/** Validates a user-given IPv6 subnet/gateway pair against the other networks' v6 subnets. */
export function checkSubnet6(subnet: string, gateway: string | undefined, taken: readonly Cidr6[]): { subnet: Cidr6; gateway: bigint } {
  const c = parseCidr6(subnet);
  if (c.prefix > 126) throw invalidParameter(`subnet ${subnet} is too small`);
  if (taken.some((t) => cidr6Overlaps(c, t))) throw conflict('Pool overlaps with other one on this address space');
  let gw = c.base + 1n;
  if (gateway) {
    const g = parseIPv6(gateway);
    if (g === undefined) throw invalidParameter(`invalid gateway address ${gateway}`);
    if (!cidr6Contains(c, g) || g === c.base) throw invalidParameter(`no matching subnet for gateway ${gateway}`);
    gw = g;
  }
  return { subnet: c, gateway: gw };
}

/**
 * The lowest free address of the subnet that is neither the subnet-router anycast address (the
 * network address) nor the gateway; `requested` must be free and inside the subnet. IPv6 has no
 * broadcast address, so the last one is usable. Looks at most |used| + 2 candidates.
 */
export function allocateAddress6(subnet: Cidr6, gateway: bigint, used: ReadonlySet<bigint>, requested?: string): bigint {
  const last = cidr6Last(subnet);
  if (requested) {
    const ip = parseIPv6(requested);
    if (ip === undefined) throw invalidParameter(`invalid IPv6 address: ${requested}`);
    if (!cidr6Contains(subnet, ip) || ip === subnet.base) throw invalidParameter(`no configured subnet contains IP address ${requested}`);
    if (ip === gateway || used.has(ip)) throw conflict('Address already in use');
    return ip;
  }
  for (let ip = subnet.base + 1n; ip <= last; ip++) {
    if (ip !== gateway && !used.has(ip)) return ip;
  }
  throw new Error(`no available IPv6 addresses on this network's address pools: ${formatCidr6(subnet)}`);
}

/**
 * The IPv6 part of a new network from `network create` options ("" when it has none). As in
 * dockerd 20.10, a v6 subnet without EnableIPv6 is only recorded (listed by inspect, no
 * addresses, reserves nothing), and `taken` holds the subnets of networks with IPv6 enabled.
 */
export function planNetworkIPv6(
  opts: { enableIPv6?: boolean | undefined; subnet6?: string | undefined; gateway6?: string | undefined },
  taken: readonly Cidr6[],
): { subnet6: string; gateway6: string; enableIPv6: boolean } {
  if (!opts.subnet6) {
    if (opts.enableIPv6) throw invalidParameter(noIPv6PoolMessage);
    if (opts.gateway6) throw invalidParameter('a gateway needs a subnet (--subnet)');
    return { subnet6: '', gateway6: '', enableIPv6: false };
  }
  const { subnet, gateway } = checkSubnet6(opts.subnet6, opts.gateway6, opts.enableIPv6 ? taken : []);
  return { subnet6: formatCidr6(subnet), gateway6: formatIPv6(gateway), enableIPv6: opts.enableIPv6 === true };
}

/**
 * A container's IPv6 lease on a network: undefined unless the network has IPv6 enabled; else
 * the lowest free address given the addresses already leased there ("" entries are ignored).
 */
export function leaseIPv6(
  net: { enableIPv6?: boolean | undefined; subnet6?: string | undefined; gateway6?: string | undefined },
  leased: readonly (string | undefined)[],
): { ip6: string; prefix: number } | undefined {
  if (!net.enableIPv6 || !net.subnet6) return undefined;
  const subnet = parseCidr6(net.subnet6);
  const used = new Set(leased.flatMap((s) => (s ? [parseIPv6(s) ?? 0n] : [])));
  const gateway = parseIPv6(net.gateway6 ?? '') ?? subnet.base + 1n;
  return { ip6: formatIPv6(allocateAddress6(subnet, gateway, used)), prefix: subnet.prefix };
}
