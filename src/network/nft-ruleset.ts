import { bridgeSetLines, elements, forwardChainLines } from './nft-common.js';
import type { PublishedPort } from './port-bindings.js';

/** What the firewall must express: skiff's bridges and the ports published into containers. */
export interface FirewallState {
  networks: { bridge: string; subnet: string; internal: boolean }[];
  ports: (PublishedPort & { containerIp: string })[];
}


/**
 * The whole of skiff's nft table, replaced atomically in one `nft -f -` transaction ("add; delete;
 * define" makes it idempotent). Everything lives in skiff's own table, so nobody else's rules are
 * flushed or reordered, and no rule handles need remembering: a change is a re-render.
 *
 * - ports: DNAT by (address, proto, port) or (proto, port) maps, from prerouting (other hosts,
 *   containers) and output (the host itself, loopback included: the bridges set route_localnet).
 * - postrouting: masquerade loopback sources going into a bridge, hairpin DNAT within skiff's
 *   subnets, and outbound traffic leaving the bridges.
 * - forward: same-bridge traffic passes; internal networks reach nothing outside; networks are
 *   isolated from each other; inbound only for replies and published ports.
 */
export function renderRuleset(table: string, state: FirewallState): string {
  const subnets = state.networks.filter((n) => !n.internal).map((n) => n.subnet);
  const sorted = [...state.ports].sort((a, b) => a.hostPort - b.hostPort || a.proto.localeCompare(b.proto));
  const any = sorted.filter((p) => p.hostIp === '0.0.0.0' || p.hostIp === '').map((p) => `${p.proto} . ${p.hostPort} : ${p.containerIp} . ${p.containerPort}`);
  const byIp = sorted
    .filter((p) => p.hostIp !== '0.0.0.0' && p.hostIp !== '')
    .map((p) => `${p.hostIp} . ${p.proto} . ${p.hostPort} : ${p.containerIp} . ${p.containerPort}`);
  const lines = [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    ...bridgeSetLines(state.networks),
    `  set subnets { type ipv4_addr; flags interval;${elements(subnets)} }`,
    `  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service;${elements(any)} }`,
    `  map ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service;${elements(byIp)} }`,
    `  chain ports {`,
    `    dnat ip to ip daddr . meta l4proto . th dport map @ports_ip`,
    `    dnat ip to meta l4proto . th dport map @ports_any`,
    `  }`,
    `  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump ports; }`,
    `  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump ports; }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    `    ip saddr 127.0.0.0/8 oifname @bridges masquerade`,
    `    ct status dnat ip saddr @subnets oifname @bridges masquerade`,
    `    ip saddr @subnets oifname != @bridges masquerade`,
    `  }`,
    ...forwardChainLines(state.networks),
    `}`,
  ];
  return lines.join('\n') + '\n';
}

/** Removes skiff's table (and nothing else); harmless when it does not exist. */
export function renderTeardown(table: string): string {
  return `table ip ${table} {}\ndelete table ip ${table}\n`;
}
