import { randomBytes } from 'node:crypto';
import tar from 'tar-stream';

/** One tar entry; `content` only for regular files. */
export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  content?: string;
}

/** Packs entries into an uncompressed tar, owned by root, in the order given. */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (b: unknown) => {
      chunks.push(b as Buffer);
    });
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const e of entries) {
    const header = {
      name: e.name,
      type: e.type,
      mode: e.type === 'directory' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (e.type === 'file') pack.entry(header, e.content ?? '', done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  return done;
}

/** A random tag that makes every name a test plants unique, so stale files can't confuse it. */
export const uniqueTag = (): string => randomBytes(4).toString('hex');

const up = (n: number): string => '../'.repeat(n);

/**
 * Entries that climb out of the extraction directory with `..`, an absolute name, and hard
 * links to a file outside (`sentinel`, an absolute path). A safe importer rejects them or
 * keeps everything inside the layer.
 */
export function dotDotEntries(tag: string, sentinel: string): TarEntry[] {
  const climbs: TarEntry[] = [];
  for (let n = 1; n <= 12; n++) climbs.push({ name: `${up(n)}skf-escape-${tag}-${n}`, type: 'file', content: 'x' });
  return [
    { name: 'ok/', type: 'directory' },
    { name: 'ok/file', type: 'file', content: 'fine' },
    ...climbs,
    { name: `${up(20)}tmp/skf-escape-${tag}`, type: 'file', content: 'x' },
    { name: `/tmp/skf-abs-${tag}`, type: 'file', content: 'x' },
    { name: `leak-${tag}`, type: 'link', linkname: up(20) + sentinel.slice(1) },
    { name: `leak-abs-${tag}`, type: 'link', linkname: sentinel },
  ];
}

/** Entries that plant a symlink pointing outside and then write through it. */
export function symlinkEntries(tag: string): TarEntry[] {
  return [
    { name: 'etc', type: 'symlink', linkname: '/etc' },
    { name: `etc/evil-${tag}`, type: 'file', content: 'pwned' },
    { name: `etc/evil-dir-${tag}/`, type: 'directory' },
    { name: 'up', type: 'symlink', linkname: up(20) + 'tmp' },
    { name: `up/skf-evil-${tag}`, type: 'file', content: 'pwned' },
  ];
}

/** Host paths the entries above would create if an importer followed them. */
export function hostPathsPlanted(tag: string): string[] {
  const paths = [
    `/tmp/skf-escape-${tag}`,
    `/tmp/skf-abs-${tag}`,
    `/etc/evil-${tag}`,
    `/etc/evil-dir-${tag}`,
    `/tmp/skf-evil-${tag}`,
  ];
  for (let n = 1; n <= 12; n++) paths.push(`/skf-escape-${tag}-${n}`, `/tmp/skf-escape-${tag}-${n}`);
  return paths;
}
