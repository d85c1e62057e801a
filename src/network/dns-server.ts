import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../base/log.js';
import { buildAnswer, parseQuestion, RCODE_NXDOMAIN, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA } from './dns-message.js';

/**
 * The embedded DNS server of one user network: listens on the network's gateway address (udp/53,
 * in skiffd, so nothing runs inside containers), answers container names and aliases on that
 * network, and forwards other names to the host's nameservers unless the network is internal.
 */
export interface DnsServerOptions {
  address: string;
  /** Addresses (IPv4 and IPv6) of the containers on this network known by `name` (lower case, no trailing dot). */
  lookup(name: string): string[];
  /** Upstream nameservers; empty for internal networks. */
  upstreams(): string[];
  log: Logger;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<{ close(): Promise<void> }> {
  const sock: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    const reply = (b: Buffer) => sock.send(b, rinfo.port, rinfo.address);
    const name = q.name.replace(/\.$/, '');
    const local = opts.lookup(name);
    // A known name answers for itself: its addresses of the asked family, or NODATA (never forwarded).
    if (local.length > 0) return reply(buildAnswer(q, local.filter((ip) => (ip.includes(':') ? q.type === TYPE_AAAA : q.type === TYPE_A))));
    const upstreams = opts.upstreams();
    if (upstreams.length === 0) return reply(buildAnswer(q, [], RCODE_NXDOMAIN));
    forward(msg, upstreams).then(reply, () => reply(buildAnswer(q, [], RCODE_SERVFAIL)));
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: opts.address, port: 53 }, () => {
      sock.off('error', reject);
      sock.on('error', (err) => opts.log.warn('dns server error', { err }));
      resolve();
    });
  });
  sock.unref();
  return { close: () => new Promise((r) => sock.close(() => r())) };
}

/** Relays a query to the first upstream that answers within two seconds. */
async function forward(msg: Buffer, upstreams: string[]): Promise<Buffer> {
  for (const server of upstreams) {
    const answer = await new Promise<Buffer | undefined>((resolve) => {
      const s = createSocket('udp4');
      const timer = setTimeout(() => done(undefined), 2000);
      const done = (b: Buffer | undefined) => {
        clearTimeout(timer);
        s.close();
        resolve(b);
      };
      s.on('error', () => done(undefined));
      s.on('message', (b) => done(b));
      s.send(msg, 53, server);
    });
    if (answer) return answer;
  }
  throw new Error('no upstream answered');
}
