import { constants, promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { errnoCode, invalidParameter, isEngineError } from '../base/engine-error.js';
import { cleanEntryName } from '../storage/confined-path.js';
import { openPlainTar } from '../storage/tar-source.js';
import { mkdirInContainer, resolveInContainer, type ContainerFsView } from './container-path.js';

/**
 * `PUT /containers/{id}/archive`: unpacks a tar (plain or gzip) into a directory of a container.
 * Every entry's parent is resolved inside the container (see container-path.ts); an entry whose
 * name climbs out with ".." is refused; the last component is never followed. Without
 * `copyUIDGID` files belong to root, as Docker does (`docker cp -a` keeps the archive's owners).
 */
export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
  /**
   * Turns an entry's owner (container ids) into the owner written on disk: a remapped
   * container's files belong to host ids (see image/id-shift-tar.ts); may throw for ids the
   * mapping cannot hold. Absent: written as they are.
   */
  owner?: (uid: number, gid: number) => { uid: number; gid: number };
  signal?: AbortSignal;
}

type Header = tar.Header;

export async function extractIntoContainer(view: ContainerFsView, dest: readonly string[], input: Readable, opts: ExtractOptions): Promise<void> {
  const plain = await openPlainTar(input, () => {}, opts.signal);
  const extract = tar.extract();
  const dirTimes: Array<{ path: string; mtime: Date }> = [];

  const handle = async (h: Header, body: AsyncIterable<unknown> & { resume(): unknown }): Promise<void> => {
    let components: string[];
    try {
      components = cleanEntryName(h.name);
    } catch {
      throw invalidParameter(`invalid tar entry ${JSON.stringify(h.name)}: path escapes the destination`);
    }
    if (components.length === 0) {
      body.resume();
      return;
    }
    // Before anything is written: an owner the container's mapping cannot hold fails the entry.
    const owner = (opts.owner ?? ((u: number, g: number) => ({ uid: u, gid: g })))(opts.copyUIDGID ? (h.uid ?? 0) : 0, opts.copyUIDGID ? (h.gid ?? 0) : 0);
    const parentDir = await mkdirInContainer(view, [...dest, ...components.slice(0, -1)], opts.owner?.(0, 0));
    const path = `${parentDir}/${components[components.length - 1]}`;
    let existing;
    try {
      existing = await fsp.lstat(path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (existing) {
      const isDir = h.type === 'directory';
      if (opts.noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
        throw invalidParameter(
          existing.isDirectory()
            ? `cannot overwrite directory "${path.slice(view.root.length) || '/'}" with non-directory "${h.name}"`
            : `cannot overwrite non-directory "${path.slice(view.root.length)}" with directory "${h.name}"`,
        );
      }
      if (!(existing.isDirectory() && isDir)) await fsp.rm(path, { recursive: true, force: true });
    }
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory()) await fsp.mkdir(path, { mode: 0o755 });
        break;
      case 'file':
      case 'contiguous-file': {
        const fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of body) {
            const b = chunk as Uint8Array;
            let off = 0;
            while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
          }
        } finally {
          await fh.close();
        }
        break;
      }
      case 'symlink':
        await fsp.symlink(h.linkname ?? '', path);
        break;
      case 'link': {
        // The target is named like the entries: relative to the destination, resolved inside the container.
        const target = await resolveInContainer(view, [...dest, ...cleanEntryName(h.linkname ?? '')].join('/'), false);
        if (!target.exists) throw invalidParameter(`invalid hardlink ${JSON.stringify(h.linkname)}: target does not exist`);
        await fsp.link(target.host, path);
        body.resume();
        return;
      }
      default:
        body.resume();
        return; // devices and fifos are not copied by `docker cp`
    }
    body.resume();
    await fsp.lchown(path, owner.uid, owner.gid);
    if (h.type !== 'symlink') await fsp.chmod(path, (h.mode ?? 0o644) & 0o7777);
    const t = h.mtime ?? new Date();
    if (h.type === 'directory') dirTimes.push({ path, mtime: t });
    else await fsp.lutimes(path, t, t);
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      const e = err instanceof Error ? err : new Error(String(err));
      plain.release(e);
      extract.destroy(e);
      reject(isEngineError(e) ? e : invalidParameter(`extracting archive: ${e.message}`, e));
    };
    extract.on('entry', (h, body, next) => {
      body.on('error', () => {});
      handle(h, body).then(() => next(), fail);
    });
    extract.on('finish', () => {
      if (!failed) resolve();
    });
    extract.on('error', fail);
    plain.stream.on('error', fail);
    plain.stream.pipe(extract);
  });
  for (const d of dirTimes.reverse()) await fsp.lutimes(d.path, d.mtime, d.mtime).catch(() => {});
}

/** The tar name of a `docker cp` source: its base name, or "." for a path ending in "/.". */
export function archiveRootName(path: string): string {
  if (/(^|\/)\.$/.test(path)) return '.';
  const b = basename(path.replace(/\/+$/, ''));
  return b === '' ? '/' : b;
}
