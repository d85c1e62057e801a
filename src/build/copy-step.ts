import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import type { Heredoc } from './dockerfile-parser.js';
import { cleanRel, LayeredFs } from './layered-fs.js';

/**
 * COPY/ADD: picks the source files (globs as filepath.Match, never outside the context),
 * hashes what they hold (path, type, mode, owner, content, link target; not mtime, as Docker),
 * and makes the layer's tar entries at the destination. The layer is the tar: no container runs.
 */
export interface CopyItem {
  /** Path of the source as selected (relative to its root). */
  rel: string;
  stat: Stats;
  host: string;
  /**
   * An unpacked ADD archive: its contents land in the destination with the owners and modes
   * the archive gave them; the destination directory itself is only made when missing.
   */
  archive?: boolean;
  /** Where the item lives when not in the step's source (ADD downloads and unpacked archives). */
  fs?: LayeredFs;
}

export interface CopyRequest {
  name: string; // "COPY" | "ADD"
  sources: string[];
  dest: string;
  workdir: string;
  heredocs: Heredoc[];
  chmod: string;
  /** COPY --from without --chown: files keep the owners they have in the source image. */
  keepOwners?: boolean;
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** Go's filepath.Match for one path (`*` and `?` stop at `/`, `[...]` classes with `^`/`!`). */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return false;
  }
}

/** The sources a COPY selects, in order; errors worded as Docker's. */
export async function selectSources(fs: LayeredFs, sources: readonly string[], name: string): Promise<CopyItem[]> {
  const out: CopyItem[] = [];
  for (const src of sources) {
    if (/^[a-z]+:\/\//i.test(src)) {
      if (name === 'ADD') throw invalidParameter('ADD from a URL is not supported by this engine yet');
      throw invalidParameter(`${name} failed: source can't be a URL for COPY`);
    }
    const normalized = posix.normalize(src);
    if (normalized === '..' || normalized.startsWith('../')) {
      throw invalidParameter(`${name} failed: forbidden path outside the build context: ${src} ()`);
    }
    const rel = cleanRel(src);
    if (!hasWildcard(rel)) {
      let found = await fs.lstat(rel);
      let itemRel = rel;
      // A source named outright is followed when it is a symlink (inside the root), as dockerd
      // does; links met while walking a directory are copied as links. A file keeps the name
      // it was asked by; a directory is walked where the link points.
      if (found?.stat.isSymbolicLink()) {
        const target = (await fs.resolveParents(`${rel}/_`)).replace(/\/?_$/, '');
        found = await fs.lstat(target);
        if (found?.stat.isDirectory()) itemRel = target;
      }
      if (!found) throw invalidParameter(`${name} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
      out.push({ rel: itemRel, stat: found.stat, host: found.host });
      continue;
    }
    const before = out.length;
    const walk = async (dir: string): Promise<void> => {
      for (const n of await fs.readdir(dir)) {
        const p = dir === '' ? n : `${dir}/${n}`;
        const found = await fs.lstat(p);
        if (!found) continue;
        if (pathMatch(rel, p)) out.push({ rel: p, stat: found.stat, host: found.host });
        else if (found.stat.isDirectory()) await walk(p);
      }
    };
    await walk('');
    if (out.length === before) throw invalidParameter(`${name} failed: no source files were specified`);
  }
  return out;
}

/** Every file under each item (directories walked), relative names for the layer. */
export async function expandItems(fs: LayeredFs, items: readonly CopyItem[]): Promise<Array<{ item: CopyItem; sub: string; stat: Stats; host: string }>> {
  const out: Array<{ item: CopyItem; sub: string; stat: Stats; host: string }> = [];
  for (const item of items) {
    out.push({ item, sub: '', stat: item.stat, host: item.host });
    if (!item.stat.isDirectory()) continue;
    const ifs = item.fs ?? fs;
    const walk = async (rel: string, sub: string): Promise<void> => {
      for (const n of await ifs.readdir(rel)) {
        const p = rel === '' ? n : `${rel}/${n}`;
        const s = sub === '' ? n : `${sub}/${n}`;
        const found = await ifs.lstat(p);
        if (!found) continue;
        out.push({ item, sub: s, stat: found.stat, host: found.host });
        if (found.stat.isDirectory()) await walk(p, s);
      }
    };
    await walk(item.rel, '');
  }
  return out;
}

async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Docker-style source hash for history and cache: "file:<hex>", "dir:<hex>" or "multi:<hex>".
 * Covers names, types, modes, owners, sizes, content and link targets; never mtimes.
 */
export async function sourceHash(fs: LayeredFs, items: readonly CopyItem[], heredocs: readonly Heredoc[]): Promise<string> {
  const perItem: string[] = [];
  const files = await expandItems(fs, items);
  for (const item of items) {
    const h = createHash('sha256');
    for (const f of files.filter((x) => x.item === item)) {
      const st = f.stat;
      let content = '';
      if (st.isFile()) content = await fileDigest(f.host);
      else if (st.isSymbolicLink()) content = await import('node:fs/promises').then((m) => m.readlink(f.host));
      h.update(JSON.stringify([f.sub, typeChar(st), st.mode & 0o7777, st.uid, st.gid, st.isFile() ? st.size : 0, content]) + '\n');
    }
    perItem.push(`${item.stat.isDirectory() ? 'dir' : 'file'}:${h.digest('hex')}`);
  }
  for (const doc of heredocs) perItem.push(`file:${createHash('sha256').update(`${doc.name}\n${doc.content}`).digest('hex')}`);
  if (perItem.length === 1) return perItem[0] as string;
  return `multi:${createHash('sha256').update(perItem.join(',')).digest('hex')}`;
}

function typeChar(st: Stats): string {
  if (st.isFile()) return 'f';
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  return 'o';
}

export interface CopyTarget {
  /** The image's view, to see what exists at the destination. */
  image: LayeredFs;
  uid: number;
  gid: number;
  /** Seconds; used for entries that have no source (heredocs, new parent dirs). */
  now: number;
}

/** The layer entries a COPY writes: parent dirs as they are (or new, 0755), then the copied trees. */
export async function copyEntries(src: LayeredFs, items: readonly CopyItem[], req: CopyRequest, target: CopyTarget): Promise<TarEntry[]> {
  const count = items.length + req.heredocs.length;
  const destAbs = req.dest.startsWith('/') ? req.dest : posix.join('/', req.workdir || '/', req.dest) + (req.dest.endsWith('/') ? '/' : '');
  const endsWithSlash = destAbs.endsWith('/') || destAbs.endsWith('/.') || req.dest === '.';
  if (count > 1 && !endsWithSlash) {
    throw invalidParameter(`When using ${req.name} with more than one source file, the destination must be a directory and end with a /`);
  }
  const dest = await target.image.resolveParents(cleanRel(destAbs));
  const destStat = dest === '' ? { stat: { isDirectory: () => true } as Stats } : await target.image.lstat(dest);
  const destIsDir = endsWithSlash || dest === '' || destStat?.stat.isDirectory() === true;
  const chmod = req.chmod === '' ? undefined : Number.parseInt(req.chmod, 8);
  if (chmod !== undefined && (!/^[0-7]{3,4}$/.test(req.chmod) || Number.isNaN(chmod))) throw invalidParameter(`invalid chmod parameter: ${req.chmod}`);

  const entries = new Map<string, TarEntry>();
  const addParents = async (path: string) => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (entries.has(p)) continue;
      const found = await target.image.lstat(p);
      if (found?.stat.isDirectory()) {
        const st = found.stat;
        entries.set(p, { name: p, type: 'directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) });
      } else entries.set(p, { name: p, type: 'directory', mode: 0o755, uid: target.uid, gid: target.gid, mtime: target.now });
    }
  };
  const put = async (path: string, st: Stats, host: string, archive = false) => {
    if (path === '') return;
    await addParents(path);
    const mode = chmod ?? st.mode & 0o7777;
    const owner = archive ? { uid: st.uid, gid: st.gid } : { uid: target.uid, gid: target.gid };
    const base = { name: path, mode, ...owner, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) entries.set(path, { ...base, type: 'directory' });
    else if (st.isSymbolicLink()) entries.set(path, { ...base, mode: 0o777, type: 'symlink', linkname: await import('node:fs/promises').then((m) => m.readlink(host)) });
    else if (st.isFile()) entries.set(path, { ...base, type: 'file', size: st.size, source: host });
  };

  for (const f of await expandItems(src, items)) {
    const isDirItem = f.item.stat.isDirectory();
    let path: string;
    if (isDirItem) path = f.sub === '' ? dest : posix.join(dest, f.sub);
    else path = destIsDir ? posix.join(dest, posix.basename(f.item.rel)) : dest;
    if (f.item.archive && f.sub === '') {
      if (dest === '' || (await target.image.lstat(dest))?.stat.isDirectory()) continue;
      await addParents(dest);
      entries.set(dest, { name: dest, type: 'directory', mode: 0o755, uid: target.uid, gid: target.gid, mtime: target.now });
      continue;
    }
    // dockerd: a --from copy keeps owners below the copied directory (the directory itself is root's).
    const keep = f.item.archive === true || (req.keepOwners === true && (f.sub !== '' || !isDirItem));
    await put(path, f.stat, f.host, keep);
  }
  for (const doc of req.heredocs) {
    const path = destIsDir ? posix.join(dest, doc.name) : dest;
    await addParents(path);
    const content = Buffer.from(doc.content);
    entries.set(path, { name: path, type: 'file', mode: chmod ?? 0o644, uid: target.uid, gid: target.gid, mtime: target.now, size: content.length, source: content });
  }
  return [...entries.values()];
}
