import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * A small tar writer for layers skiff makes itself (RUN/COPY/commit).
 *
 * Why not tar-stream's pack: it encodes PAX records as JS strings and measures their length in
 * UTF-16 units, so binary xattrs such as `security.capability` come out corrupted. Here PAX
 * records are built from bytes. The output is plain ustar + PAX ('x') headers, which Go's
 * archive/tar, GNU tar and tar-stream read alike; an empty archive is Go's 1024 zero bytes.
 */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

export interface TarEntry {
  /** Relative, slash-separated, no leading "./"; directories without the trailing slash. */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  size?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
  /** Content of a regular file: a host path streamed at write time, or bytes. */
  source?: string | Buffer;
}

const BLOCK = 512;
const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

function octal(buf: Buffer, off: number, len: number, value: number): void {
  const s = Math.max(0, Math.floor(value)).toString(8).padStart(len - 1, '0');
  buf.write(s.slice(-(len - 1)), off, 'ascii');
  buf[off + len - 1] = 0;
}

/** "%d key=value\n" where %d counts the whole record, itself included. */
export function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'ascii'), body]);
}

function header(name: string, typeflag: string, e: Pick<TarEntry, 'mode' | 'uid' | 'gid' | 'mtime' | 'linkname' | 'devmajor' | 'devminor'>, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, e.mode & 0o7777);
  octal(h, 108, 8, e.uid);
  octal(h, 116, 8, e.gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, e.mtime);
  h.fill(0x20, 148, 156);
  h.write(typeflag, 156, 1, 'ascii');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  octal(h, 329, 8, e.devmajor ?? 0);
  octal(h, 337, 8, e.devminor ?? 0);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** The header blocks of one entry: a PAX header first when names are long or xattrs are present. */
export function entryHeader(e: TarEntry): Buffer {
  const name = e.type === 'directory' ? `${e.name}/` : e.name;
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  const records: Buffer[] = [];
  const nameFits = Buffer.byteLength(name) <= 100 && /^[\x20-\x7e]*$/.test(name);
  if (!nameFits) records.push(paxRecord('path', Buffer.from(name, 'utf8')));
  if (e.linkname !== undefined && (Buffer.byteLength(e.linkname) > 100 || !/^[\x20-\x7e]*$/.test(e.linkname))) {
    records.push(paxRecord('linkpath', Buffer.from(e.linkname, 'utf8')));
  }
  if (size >= 0o77777777777) records.push(paxRecord('size', Buffer.from(String(size))));
  for (const [k, v] of [...(e.xattrs ?? new Map<string, Buffer>())].sort(([a], [b]) => (a < b ? -1 : 1))) {
    records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  }
  const main = header(nameFits ? name : name.slice(0, 99), TYPEFLAG[e.type], e, size >= 0o77777777777 ? 0 : size);
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const paxName = `PaxHeaders.0/${name.replace(/\/$/, '').split('/').pop() ?? ''}`.slice(0, 99);
  const paxHeader = header(paxName, 'x', { mode: 0o644, uid: 0, gid: 0, mtime: e.mtime }, pax.length);
  return Buffer.concat([paxHeader, pax, padding(pax.length), main]);
}

async function* tarChunks(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    yield entryHeader(e);
    if (e.type !== 'file' || !e.size) continue;
    let written = 0;
    if (Buffer.isBuffer(e.source)) {
      yield e.source;
      written = e.source.length;
    } else if (typeof e.source === 'string') {
      for await (const chunk of createReadStream(e.source, { end: e.size - 1 })) {
        const b = chunk as Buffer;
        written += b.length;
        yield b;
      }
    }
    // A file that shrank while being read: pad so the archive stays well-formed.
    if (written < e.size) yield Buffer.alloc(e.size - written);
    yield padding(e.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Streams the entries as one tar archive. */
export function packTar(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}

/** sha256 of an empty tar (two zero blocks): Docker's "empty layer" diffID. */
export const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';
