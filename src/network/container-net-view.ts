import type { PublishedPort } from './port-bindings.js';

/** What inspect and ps show of a container's networking (built by NetworkManager.view). */
export interface ContainerNetView {
  networks: {
    name: string;
    networkId: string;
    endpointId: string;
    ip: string;
    prefixLen: number;
    gateway: string;
    mac: string;
    aliases: string[];
    dnsNames: string[];
    /** On a network with IPv6: the container's v6 address, its prefix length and the v6 gateway. */
    ip6?: string;
    prefixLen6?: number;
    gateway6?: string;
  }[];
  ports: PublishedPort[];
  sandboxKey: string;
}
