import type { EndpointPlan } from './link-plan.js';

/**
 * The script for skiff-netsetup (src/netsetup/skiff-netsetup.c): one process that creates or
 * enters the namespace, wires every endpoint (veth pair, address, route, bridge, hairpin) and,
 * after it, any nft element lines. Pure; the sys driver pipes it to the helper.
 */
export function netsetupLines(ns: { create: string } | { enter: string }, endpoints: readonly EndpointPlan[]): string[] {
  const head = 'create' in ns ? [`create ${ns.create}`, 'lo-up'] : [`enter ${ns.enter}`];
  return [
    ...head,
    ...endpoints.map((ep) => `veth ${ep.ifname} ${ep.mac} ${ep.hostVeth} ${ep.addressCidr} ${ep.defaultGateway ?? '-'} ${ep.bridge}`),
  ];
}
