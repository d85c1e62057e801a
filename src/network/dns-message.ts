import { parseIPv6 } from './ipv6.js';

/** Just enough DNS wire format for the embedded resolver: read one question, write A/AAAA answers. Pure. */

export interface DnsQuestion {
  id: number;
  /** Recursion desired, echoed back. */
  rd: boolean;
  name: string;
  type: number;
  klass: number;
  /** The question section's bytes (name, type, class), echoed in the answer. */
  questionBytes: Buffer;
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_NXDOMAIN = 3;
export const RCODE_SERVFAIL = 2;

export function parseQuestion(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response, not a query
  if (msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    const len = msg[off];
    if (len === undefined || len > 63) return undefined; // compression pointers never appear in a question we accept
    off++;
    if (len === 0) break;
    if (off + len > msg.length) return undefined;
    labels.push(msg.subarray(off, off + len).toString('latin1'));
    off += len;
  }
  if (off + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    rd: (flags & 0x0100) !== 0,
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    klass: msg.readUInt16BE(off + 2),
    questionBytes: msg.subarray(12, off + 4),
  };
}

/**
 * A response to `q` carrying one record per address: A for IPv4 text, AAAA for IPv6 text
 * (empty: NODATA, or `rcode` when given). The caller picks the addresses matching q.type.
 */
export function buildAnswer(q: DnsQuestion, addresses: readonly string[], rcode = 0, ttl = 600): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, AA, RD as asked, RA.
  header.writeUInt16BE(0x8000 | 0x0400 | (q.rd ? 0x0100 : 0) | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const six = ip.includes(':');
    const rr = Buffer.alloc(six ? 28 : 16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(six ? TYPE_AAAA : TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(six ? 16 : 4, 10);
    if (six) {
      const n = parseIPv6(ip) ?? 0n;
      for (let i = 0; i < 16; i++) rr.writeUInt8(Number((n >> BigInt(8 * (15 - i))) & 0xffn), 12 + i);
    } else {
      ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    }
    return rr;
  });
  return Buffer.concat([header, q.questionBytes, ...answers]);
}

/** A query message for `name` (tests, and forwarding checks). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3);
  return Buffer.concat([header, ...parts, tail]);
}
