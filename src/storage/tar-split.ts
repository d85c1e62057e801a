import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { cleanEntryName, resolveDirInRoot } from './confined-path.js';
import { isDirectoryHeader, readTarSize, roundUpToBlock, TAR_BLOCK } from './tar-header-fields.js';

/**
 * A layer's tar, byte for byte, without keeping the tar.
 *
 * skiff keeps layers unpacked. Packing a directory again gives a valid tar but not the same
 * bytes (other header fields, order, padding, PAX records), hence another diffID — and an image
 * pushed or saved after `import`, `commit` or `load` would get another ID than it has locally.
 * So, while a layer is unpacked, the recorder keeps everything of the tar except the contents of
 * regular files (headers, PAX records, padding, the end-of-archive blocks: a few hundred bytes
 * per entry) plus, for each file's content, the path it was written to. `assembleTar` streams
 * the original bytes back from that journal and the layer directory. Docker keeps the same kind
 * of journal ("tar-split") for the same reason.
 *
 * The journal is only usable when every content range belongs to exactly one path written by
 * the unpacker; otherwise `finish()` gives undefined and callers pack the directory instead.
 */
const MAGIC = Buffer.from('skiff-tar-split/1\n');
const RAW = 0;
const FILE = 1;

type Segment = { kind: 'raw'; bytes: Buffer[]; length: number } | { kind: 'file'; offset: number; size: number };

export type TarSplitRecord = { raw: Buffer } | { path: string; size: number };

export class TarSplitRecorder {
  private readonly segments: Segment[] = [];
  private readonly paths = new Map<number, string>();
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Stream offset of the first byte in `pending`. */
  private offset = 0;
  /** Content bytes of a regular file still to come, or metadata bytes to pass through raw. */
  private fileLeft = 0;
  private rawLeft = 0;
  private nextSize: number | undefined;
  private paxWant = -1;
  /** A global PAX header's records apply to no single entry: its `size` is not the next entry's. */
  private paxGlobal = false;

  feed(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    for (;;) {
      if (this.fileLeft > 0) {
        const n = Math.min(this.fileLeft, this.pendingLen);
        if (n === 0) return;
        this.skip(n);
        this.fileLeft -= n;
        continue;
      }
      if (this.rawLeft > 0) {
        const n = Math.min(this.rawLeft, this.pendingLen);
        if (n === 0) return;
        this.raw(this.consume(n));
        this.rawLeft -= n;
        continue;
      }
      if (this.paxWant >= 0) {
        const padded = roundUpToBlock(this.paxWant);
        if (this.pendingLen < padded) return;
        const body = this.consume(padded);
        this.raw(body);
        if (!this.paxGlobal) this.readPaxSize(body.subarray(0, this.paxWant));
        this.paxWant = -1;
        continue;
      }
      if (this.pendingLen < TAR_BLOCK) return;
      const header = this.consume(TAR_BLOCK);
      this.raw(header);
      this.onHeader(header);
    }
  }

  /** The unpacker wrote the content of the entry whose header ended at `byteOffset` to `path`. */
  fileAt(byteOffset: number | undefined, path: string): void {
    if (byteOffset !== undefined) this.paths.set(byteOffset, path);
  }

  /** The encoded journal, or undefined when the layer's tar cannot be rebuilt from its directory. */
  finish(): Buffer | undefined {
    if (this.pendingLen > 0) this.raw(this.consume(this.pendingLen));
    if (this.fileLeft > 0 || this.paxWant >= 0) return undefined; // the tar was cut short
    const records: TarSplitRecord[] = [];
    const seen = new Set<string>();
    for (const s of this.segments) {
      if (s.kind === 'raw') {
        records.push({ raw: Buffer.concat(s.bytes, s.length) });
        continue;
      }
      const path = this.paths.get(s.offset);
      // A content range no file holds, or two contents for one path (the later one won): not rebuildable.
      if (path === undefined || seen.has(path)) return undefined;
      seen.add(path);
      records.push({ path, size: s.size });
    }
    return encodeTarSplit(records);
  }

  private onHeader(h: Buffer): void {
    if (h.every((b) => b === 0)) return;
    const flag = h[156] ?? 0;
    const size = readTarSize(h);
    if (flag === 0x78 /* x */ || flag === 0x67 /* g */) {
      this.paxWant = size;
      this.paxGlobal = flag === 0x67;
      return;
    }
    if (flag === 0x4c /* L */ || flag === 0x4b /* K */) {
      this.rawLeft = roundUpToBlock(size);
      return;
    }
    const realSize = this.nextSize ?? size;
    this.nextSize = undefined;
    const isDir = isDirectoryHeader(h);
    if (isDir) return; // tar-stream reads no data for directories; stay in step with it
    const isFile = flag === 0 || flag === 0x30 || flag === 0x37;
    if (isFile && realSize > 0) {
      this.segments.push({ kind: 'file', offset: this.offset, size: realSize });
      this.fileLeft = realSize;
      this.rawLeft = roundUpToBlock(realSize) - realSize;
    } else {
      this.rawLeft = roundUpToBlock(realSize);
    }
  }

  private readPaxSize(body: Buffer): void {
    let rest = body;
    while (rest.length > 0) {
      const sp = rest.indexOf(0x20);
      if (sp < 0) return;
      const len = Number.parseInt(rest.subarray(0, sp).toString('latin1'), 10);
      if (!(len > sp + 1) || len > rest.length) return;
      const rec = rest.subarray(sp + 1, len - 1).toString('latin1');
      if (rec.startsWith('size=')) this.nextSize = Number.parseInt(rec.slice(5), 10);
      rest = rest.subarray(len);
    }
  }

  private raw(b: Buffer): void {
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'raw') {
      last.bytes.push(b);
      last.length += b.length;
    } else {
      this.segments.push({ kind: 'raw', bytes: [b], length: b.length });
    }
  }

  /** Drops `n` bytes of file content: no copy, no concatenation (this is most of a layer). */
  private skip(n: number): void {
    this.offset += n;
    this.pendingLen -= n;
    while (n > 0) {
      const first = this.pending[0] as Buffer;
      if (first.length <= n) {
        this.pending.shift();
        n -= first.length;
      } else {
        this.pending[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  private consume(n: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingLen);
    // Copy: raw bytes outlive the chunk, and a subarray would pin the whole chunk in memory.
    const head = Buffer.from(all.subarray(0, n));
    const tail = all.subarray(n);
    this.pending = tail.length > 0 ? [tail] : [];
    this.pendingLen = tail.length;
    this.offset += n;
    return head;
  }
}

export function encodeTarSplit(records: readonly TarSplitRecord[]): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const r of records) {
    if ('raw' in r) {
      const head = Buffer.alloc(5);
      head.writeUInt8(RAW, 0);
      head.writeUInt32BE(r.raw.length, 1);
      parts.push(head, r.raw);
    } else {
      const path = Buffer.from(r.path, 'utf8');
      const head = Buffer.alloc(13);
      head.writeUInt8(FILE, 0);
      head.writeBigUInt64BE(BigInt(r.size), 1);
      head.writeUInt32BE(path.length, 9);
      parts.push(head, path);
    }
  }
  return gzipSync(Buffer.concat(parts), { level: 6 });
}

export function decodeTarSplit(journal: Buffer): TarSplitRecord[] {
  const buf = gunzipSync(journal);
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a tar-split journal');
  const out: TarSplitRecord[] = [];
  let at = MAGIC.length;
  const need = (n: number) => {
    if (at + n > buf.length) throw new Error('truncated tar-split journal');
  };
  while (at < buf.length) {
    need(1);
    const kind = buf.readUInt8(at);
    if (kind === RAW) {
      need(5);
      const len = buf.readUInt32BE(at + 1);
      need(5 + len);
      out.push({ raw: buf.subarray(at + 5, at + 5 + len) });
      at += 5 + len;
    } else if (kind === FILE) {
      need(13);
      const size = Number(buf.readBigUInt64BE(at + 1));
      const len = buf.readUInt32BE(at + 9);
      need(13 + len);
      out.push({ path: buf.subarray(at + 13, at + 13 + len).toString('utf8'), size });
      at += 13 + len;
    } else {
      throw new Error(`unknown tar-split record kind ${kind}`);
    }
  }
  return out;
}

/**
 * Checks that every file the journal names is in `dir` with the recorded size, so a stream that
 * starts will not fail half-way (a push cannot take back what it sent).
 */
export async function tarSplitMatches(dir: string, records: readonly TarSplitRecord[]): Promise<boolean> {
  for (const r of records) {
    if ('raw' in r) continue;
    try {
      const st = await fsp.lstat(await hostPath(dir, r.path));
      if (!st.isFile() || st.size !== r.size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The original tar: raw records as they were, file contents read from `dir`. */
export function assembleTar(dir: string, records: readonly TarSplitRecord[]): Readable {
  return Readable.from(
    (async function* () {
      for (const r of records) {
        if ('raw' in r) {
          yield r.raw;
          continue;
        }
        // O_NOFOLLOW and parents resolved inside the layer: the journal never reads outside it.
        const fh = await fsp.open(await hostPath(dir, r.path), constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          let left = r.size;
          while (left > 0) {
            const buf = Buffer.allocUnsafe(Math.min(left, 1024 * 1024));
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) throw new Error(`layer file ${r.path} is shorter than its tar entry`);
            left -= bytesRead;
            yield buf.subarray(0, bytesRead);
          }
        } finally {
          await fh.close();
        }
      }
    })(),
    { objectMode: false },
  );
}

async function hostPath(dir: string, path: string): Promise<string> {
  const components = cleanEntryName(path);
  const base = components[components.length - 1];
  if (base === undefined) throw new Error('tar-split names the layer root as a file');
  return join(await resolveDirInRoot(dir, components.slice(0, -1), false), base);
}
