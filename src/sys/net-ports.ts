import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Holds a published host port for as long as the container runs, so no other process (nor
 * another engine) can take it, and asks the kernel for a free one when the port is 0. Traffic
 * never reaches these sockets: the nft DNAT rules send it to the container first.
 */
export interface PortReservation {
  port: number;
  close(): Promise<void>;
}

/** Where a tcp reservation relays the connections that reach it (see relayTo below). */
export interface RelayTarget {
  address: string;
  port: number;
}

/**
 * `relayTo`: connections that do reach the socket are piped to the container. Only IPv6 uses it:
 * the kernel cannot DNAT [::1] into a bridge (no route_localnet for IPv6), so skiff's ip6 table
 * leaves ::1 alone and this socket carries it, as docker-proxy would; and a v6 host address
 * published from a container without IPv6 is relayed to its IPv4 address (dockerd's behaviour).
 * IPv6 sockets are v6-only, so "::" and "0.0.0.0" on one port are two reservations.
 */
export type PortReserver = (proto: 'tcp' | 'udp', hostIp: string, port: number, relayTo?: RelayTarget) => Promise<PortReservation>;

function relay(client: Socket, to: RelayTarget, open: Set<Socket>): void {
  const upstream = connect({ host: to.address, port: to.port });
  for (const s of [client, upstream]) {
    open.add(s);
    s.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
    s.on('close', () => open.delete(s));
  }
  client.pipe(upstream).pipe(client);
}

export const reservePort: PortReserver = (proto, hostIp, port, relayTo) => {
  const host = hostIp || '0.0.0.0';
  const ipv6Only = host.includes(':');
  if (proto === 'tcp') {
    return new Promise((resolve, reject) => {
      const open = new Set<Socket>();
      const server: Server = createServer((sock) => (relayTo ? relay(sock, relayTo, open) : sock.destroy()));
      server.once('error', reject);
      server.listen({ host, port, exclusive: true, backlog: relayTo ? 128 : 1, ipv6Only }, () => {
        const addr = server.address();
        const bound = typeof addr === 'object' && addr ? addr.port : port;
        server.unref();
        const close = () =>
          new Promise<void>((r) => {
            server.close(() => r());
            for (const s of open) s.destroy();
          });
        resolve({ port: bound, close });
      });
    });
  }
  return new Promise((resolve, reject) => {
    const sock: UdpSocket = createSocket({ type: ipv6Only ? 'udp6' : 'udp4', ipv6Only });
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.unref();
      resolve({ port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
};
