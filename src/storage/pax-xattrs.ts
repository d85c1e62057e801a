/**
 * Reads `SCHILY.xattr.*` PAX records from a tar byte stream as raw bytes.
 *
 * Why: tar-stream decodes PAX values as UTF-8 strings, which corrupts binary xattrs such as
 * `security.capability`. This tracker sees the same bytes that are fed to tar-stream (it walks
 * only the 512-byte headers and skips data) and keys each entry's xattrs by the stream offset
 * just after the entry's header block — the same number tar-stream reports as `header.byteOffset`.
 */
import { isDirectoryHeader, readTarSize, roundUpToBlock, TAR_BLOCK } from './tar-header-fields.js';

const XATTR_PREFIX = 'SCHILY.xattr.';

export type Xattrs = Map<string, Buffer>;

export class PaxXattrTracker {
  private readonly found = new Map<number, Xattrs>();
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Stream offset of the first byte in `pending`. */
  private offset = 0;
  /** Bytes of entry data still to skip. */
  private skip = 0;
  /** Size of a PAX header body being collected, or -1. */
  private paxWant = -1;
  private paxKind: 'local' | 'global' = 'local';
  private nextXattrs: Xattrs | undefined;
  private nextSize: number | undefined;

  feed(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.pendingLen);
        if (n === 0) return;
        this.consume(n);
        this.skip -= n;
        continue;
      }
      if (this.paxWant >= 0) {
        const padded = roundUpToBlock(this.paxWant);
        if (this.pendingLen < padded) return;
        const body = this.consume(padded).subarray(0, this.paxWant);
        if (this.paxKind === 'local') this.readPax(body);
        this.paxWant = -1;
        continue;
      }
      if (this.pendingLen < TAR_BLOCK) return;
      const header = this.consume(TAR_BLOCK);
      this.onHeader(header);
    }
  }

  /** The xattrs recorded for the entry whose header ended at `byteOffset`, forgotten afterwards. */
  take(byteOffset: number | undefined): Xattrs | undefined {
    if (byteOffset === undefined) return undefined;
    const x = this.found.get(byteOffset);
    this.found.delete(byteOffset);
    return x;
  }

  private onHeader(h: Buffer): void {
    if (h.every((b) => b === 0)) return; // end-of-archive padding
    const flag = h[156] ?? 0;
    const size = readTarSize(h);
    if (flag === 0x78 /* x */ || flag === 0x67 /* g */) {
      this.paxKind = flag === 0x78 ? 'local' : 'global';
      this.paxWant = size;
      return;
    }
    if (flag === 0x4c /* L */ || flag === 0x4b /* K */) {
      this.skip = roundUpToBlock(size);
      return;
    }
    if (this.nextXattrs) this.found.set(this.offset, this.nextXattrs);
    const realSize = this.nextSize ?? size;
    this.nextXattrs = undefined;
    this.nextSize = undefined;
    const isDir = isDirectoryHeader(h);
    // tar-stream reads no data for directories; stay in step with it.
    this.skip = isDir ? 0 : roundUpToBlock(realSize);
  }

  private readPax(body: Buffer): void {
    let rest = body;
    while (rest.length > 0) {
      const sp = rest.indexOf(0x20);
      if (sp < 0) return;
      const len = Number.parseInt(rest.subarray(0, sp).toString('latin1'), 10);
      if (!(len > sp + 1) || len > rest.length) return;
      const rec = rest.subarray(sp + 1, len - 1);
      const eq = rec.indexOf(0x3d);
      if (eq >= 0) {
        const key = rec.subarray(0, eq).toString('utf8');
        const value = rec.subarray(eq + 1);
        if (key.startsWith(XATTR_PREFIX)) {
          this.nextXattrs ??= new Map();
          this.nextXattrs.set(key.slice(XATTR_PREFIX.length), Buffer.from(value));
        } else if (key === 'size') {
          this.nextSize = Number.parseInt(value.toString('latin1'), 10);
        }
      }
      rest = rest.subarray(len);
    }
  }

  private consume(n: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    const head = all.subarray(0, n);
    const tail = all.subarray(n);
    this.pending = tail.length > 0 ? [tail] : [];
    this.pendingLen = tail.length;
    this.offset += n;
    return head;
  }
}
