import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

/**
 * Holds a published host port for as long as the container runs, so no other process (nor
 * another engine) can take it, and asks the kernel for a free one when the port is 0. Traffic
 * never reaches these sockets: the nft DNAT rules send it to the container first.
 */
export interface PortReservation {
  port: number;
  close(): Promise<void>;
}

export type PortReserver = (proto: 'tcp' | 'udp', hostIp: string, port: number) => Promise<PortReservation>;

export const reservePort: PortReserver = (proto, hostIp, port) => {
  const host = hostIp || '0.0.0.0';
  if (proto === 'tcp') {
    return new Promise((resolve, reject) => {
      const server: Server = createServer((sock) => sock.destroy());
      server.once('error', reject);
      server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
        const addr = server.address();
        const bound = typeof addr === 'object' && addr ? addr.port : port;
        server.unref();
        resolve({ port: bound, close: () => new Promise((r) => server.close(() => r())) });
      });
    });
  }
  return new Promise((resolve, reject) => {
    const sock: UdpSocket = createSocket({ type: 'udp4' });
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.unref();
      resolve({ port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
};
