import { bridgeSetLines, elements, forwardChainLines } from './nft-common.js';
import type { PublishedPort } from './port-bindings.js';

/** What the IPv6 half of the firewall must express: the bridges, the v6 subnets, the v6 ports. */
export interface FirewallState6 {
  /** Every skiff bridge (isolation covers all of them); `subnet6` is "" on IPv4-only networks. */
  networks: { bridge: string; subnet6: string; internal: boolean }[];
  /** Ports published to containers' IPv6 addresses (hostIp "::" for all host addresses). */
  ports: (PublishedPort & { containerIp: string })[];
}


/** Removes skiff's ip6 table (and nothing else); harmless when it does not exist. */
export function renderTeardown6(table: string): string {
  return `table ip6 ${table} {}\ndelete table ip6 ${table}\n`;
}

/**
 * skiff's `ip6` table: the IPv6 twin of the `ip` table (nft-ruleset.ts), with the same names, so
 * both are rendered into the same `nft -f -` transaction and port elements only differ by family.
 * Present only while some network has an IPv6 subnet: an IPv4-only daemon leaves no ip6 table.
 *
 * One difference: IPv6 has no route_localnet, so a reply to a DNATed [::1] connection is dropped
 * as a martian on the bridge. Connections to ::1 skip the DNAT ("return") and reach the socket
 * skiffd holds on the port, which relays them to the container (net-ports.ts).
 */
export function renderRuleset6(table: string, state: FirewallState6): string {
  if (!state.networks.some((n) => n.subnet6)) return renderTeardown6(table);
  const subnets = state.networks.filter((n) => n.subnet6 && !n.internal).map((n) => n.subnet6);
  const sorted = [...state.ports].sort((a, b) => a.hostPort - b.hostPort || a.proto.localeCompare(b.proto));
  const any = sorted.filter((p) => p.hostIp === '::').map((p) => `${p.proto} . ${p.hostPort} : ${p.containerIp} . ${p.containerPort}`);
  const byIp = sorted.filter((p) => p.hostIp !== '::').map((p) => `${p.hostIp} . ${p.proto} . ${p.hostPort} : ${p.containerIp} . ${p.containerPort}`);
  const lines = [
    `table ip6 ${table} {}`,
    `delete table ip6 ${table}`,
    `table ip6 ${table} {`,
    ...bridgeSetLines(state.networks),
    `  set subnets { type ipv6_addr; flags interval;${elements(subnets)} }`,
    `  map ports_any { type inet_proto . inet_service : ipv6_addr . inet_service;${elements(any)} }`,
    `  map ports_ip { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service;${elements(byIp)} }`,
    `  chain ports {`,
    `    ip6 daddr ::1 return`,
    `    dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports_ip`,
    `    dnat ip6 to meta l4proto . th dport map @ports_any`,
    `  }`,
    `  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump ports; }`,
    `  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump ports; }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    `    ct status dnat ip6 saddr @subnets oifname @bridges masquerade`,
    `    ip6 saddr @subnets oifname != @bridges masquerade`,
    `  }`,
    ...forwardChainLines(state.networks),
    `}`,
  ];
  return lines.join('\n') + '\n';
}
