import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { setAttribute } from 'fs-xattr';
import { invalidParameter } from '../base/engine-error.js';
import { spawnSpecialFileMaker } from '../storage/special-files.js';
import { unpackLayerTar } from '../storage/tar-unpack.js';

/**
 * What ADD does beyond COPY: a local tar archive (plain or gzip) is unpacked at the destination
 * instead of copied, and a URL is downloaded (mode 0600, mtime from Last-Modified, never
 * unpacked, as dockerd does), optionally checked against `--checksum=sha256:<hex>`.
 * bzip2/xz/zstd archives are recognised and refused by name: Node has no decoder for them.
 */
export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** A tar header block: its checksum field must match the sum of its bytes (spaces for the field). */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block.subarray(0, 512).every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum === Number.parseInt(field, 8);
}

async function head(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const c of stream) {
      chunks.push(c as Buffer);
      len += (c as Buffer).length;
      if (len >= n) break;
    }
  } catch {
    // a truncated or corrupt stream is simply "not an archive"
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/** What kind of archive a local file is, by its content (never its name), or undefined. */
export async function sniffArchive(path: string): Promise<ArchiveKind | undefined> {
  const magic = await head(createReadStream(path, { end: 511 }), 512);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return isTarHeader(await head(createReadStream(path).pipe(createGunzip()), 512)) ? 'gzip' : undefined;
  if (magic.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (magic.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (magic.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  return isTarHeader(magic) ? 'tar' : undefined;
}

/**
 * Unpacks the archive into a new directory under `root` (the build's work dir, removed with
 * the context) with the layer unpacker's confinement (no `../` escapes); returns the directory.
 */
export async function extractArchive(path: string, kind: ArchiveKind, source: string, root: string, signal?: AbortSignal): Promise<string> {
  await fsp.mkdir(root, { recursive: true, mode: 0o700 });
  if (kind !== 'tar' && kind !== 'gzip') {
    throw invalidParameter(`ADD failed: ${source} is a ${kind}-compressed archive; this engine unpacks only plain and gzip tar archives (decompress it, or COPY it and unpack it in a RUN step)`);
  }
  const name = `add-${randomBytes(6).toString('hex')}`;
  const dir = join(root, name);
  await fsp.mkdir(dir, { mode: 0o755 });
  await fsp.chmod(dir, 0o755);
  const input = kind === 'gzip' ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  await unpackLayerTar(input, dir, { special: spawnSpecialFileMaker, setXattr: (p, n, v) => setAttribute(p, n, v) }, signal);
  return dir;
}

export interface Downloaded {
  /** The directory it was saved in (under `root`) and its name there. */
  dir: string;
  name: string;
  sha256: string;
}

/** The file name ADD gives a download: the URL path's last element. */
export function urlFileName(url: string): string {
  const base = posix.basename(new URL(url).pathname);
  if (base === '' || base === '/' || base === '.') throw invalidParameter(`cannot determine filename from url: ${url}`);
  return decodeURIComponent(base);
}

/** Downloads `url` into a new directory under `root`; checks `checksum` ("sha256:<hex>") when given. */
export async function downloadUrl(url: string, root: string, checksum: string, signal?: AbortSignal): Promise<Downloaded> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidParameter(`ADD failed: unsupported URL scheme ${u.protocol.replace(/:$/, '')}: ${url}`);
  if (checksum !== '' && !/^sha256:[0-9a-f]{64}$/.test(checksum)) throw invalidParameter(`invalid checksum digest format: ${checksum}`);
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok || !res.body) throw invalidParameter(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const dir = join(root, `url-${randomBytes(6).toString('hex')}`);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const name = urlFileName(url);
  const file = join(dir, name);
  const hash = createHash('sha256');
  const body = Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]);
  body.on('data', (c: Buffer) => hash.update(c));
  await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  const sha256 = hash.digest('hex');
  if (checksum !== '' && checksum !== `sha256:${sha256}`) throw invalidParameter(`digest mismatch ${checksum}: sha256:${sha256}`);
  await fsp.chmod(file, 0o600);
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) await fsp.utimes(file, modified / 1000, modified / 1000);
  return { dir, name, sha256 };
}
