import type { EndpointPlan } from './link-plan.js';

/**
 * The script for skiff-netsetup (src/netsetup/skiff-netsetup.c): one process that creates or
 * enters the namespace, wires every endpoint (veth pair, address, route, bridge, hairpin) and,
 * after it, any nft element lines. Pure; the sys driver pipes it to the helper.
 */
/** A user namespace the new net namespace belongs to (--userns-remap): its file and id maps. */
export interface NetnsUserns {
  path: string;
  uidMappings: ReadonlyArray<{ containerID: number; hostID: number; size: number }>;
  gidMappings: ReadonlyArray<{ containerID: number; hostID: number; size: number }>;
}

const idMapField = (m: NetnsUserns['uidMappings']) => m.map((e) => `${e.containerID}:${e.hostID}:${e.size}`).join(',');

export function netsetupLines(ns: { create: string; userns?: NetnsUserns } | { enter: string }, endpoints: readonly EndpointPlan[]): string[] {
  const head =
    'create' in ns
      ? [
          ns.userns
            ? `create-userns ${ns.create} ${ns.userns.path} ${idMapField(ns.userns.uidMappings)} ${idMapField(ns.userns.gidMappings)}`
            : `create ${ns.create}`,
          'lo-up',
        ]
      : [`enter ${ns.enter}`];
  return [
    ...head,
    ...endpoints.flatMap((ep) => [
      `veth ${ep.ifname} ${ep.mac} ${ep.hostVeth} ${ep.addressCidr} ${ep.defaultGateway ?? '-'} ${ep.bridge}`,
      ...(ep.address6Cidr ? [`addr6 ${ep.ifname} ${ep.address6Cidr} ${ep.defaultGateway6 ?? '-'}`] : []),
    ]),
  ];
}
