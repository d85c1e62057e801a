import type { PortElement } from './port-elements.js';
import type { PortBindingSpec, PublishedPort } from './port-bindings.js';

/**
 * How one `-p` binding splits by address family, mirroring dockerd 20.10: a binding without a
 * host address is published on 0.0.0.0 and on :: (one host port for both) — to the container's v6
 * address on a network with IPv6, else (tcp) relayed to its v4 address, as docker-proxy does; a
 * v6 host address likewise. Pure.
 */

/** One host socket of a binding; `relayTo` is the container address its own socket relays to. */
export interface BindTarget {
  hostIp: string;
  relayTo: string | undefined;
  /** Published only when it can be (a host without IPv6 still publishes the v4 side). */
  optional?: boolean;
}

export function bindTargets(spec: Pick<PortBindingSpec, 'hostIp' | 'proto'>, ip: string, ip6: string | undefined): BindTarget[] {
  if (spec.hostIp === '' || spec.hostIp === '0.0.0.0') {
    if (ip6) return [{ hostIp: '0.0.0.0', relayTo: undefined }, { hostIp: '::', relayTo: ip6 }];
    // The relay carries tcp only: udp of an IPv4-only container stays on 0.0.0.0.
    return [{ hostIp: '0.0.0.0', relayTo: undefined }, ...(spec.proto === 'tcp' ? [{ hostIp: '::', relayTo: ip, optional: true }] : [])];
  }
  if (!spec.hostIp.includes(':')) return [{ hostIp: spec.hostIp, relayTo: undefined }];
  if (ip6) return [{ hostIp: spec.hostIp, relayTo: ip6 }];
  // No NAT from IPv6 to IPv4 in the kernel: only a tcp relay can carry it; udp is dropped.
  return spec.proto === 'tcp' ? [{ hostIp: spec.hostIp, relayTo: ip }] : [];
}

/**
 * A lease's published ports as nft map elements: v4 bindings to its IPv4 address, v6 ones to its
 * IPv6 address. v6 bindings of a container without IPv6, and [::1] ones (the kernel cannot DNAT
 * loopback into a bridge), get no element: skiffd's socket relays them.
 */
export function endpointPortElements(e: { ip: string; ip6?: string | undefined; ports: readonly PublishedPort[] }): PortElement[] {
  return e.ports.flatMap((p) => {
    if (!p.hostIp.includes(':')) return [{ ...p, containerIp: e.ip }];
    if (!e.ip6 || p.hostIp === '::1') return [];
    return [{ ...p, containerIp: e.ip6 }];
  });
}
