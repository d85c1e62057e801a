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
  }[];
  ports: PublishedPort[];
  sandboxKey: string;
}
