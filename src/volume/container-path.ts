import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, invalidParameter } from '../base/engine-error.js';

/**
 * Resolving a path the way a process chrooted into the container would, from outside it: `docker
 * cp` must never read or write outside the container's root. Every component is lstat'ed; a
 * symlink's target is resolved again from the container's root (an absolute target restarts at
 * the root, `..` stops there). Mounts the host cannot see at the root (volumes, binds of a
 * stopped container's view) are spliced in by destination.
 */
export interface ContainerFsView {
  /** Host path of the container's `/`: /proc/<pid>/root while it runs, a private overlay mount otherwise. */
  root: string;
  /** Mounts not visible under `root`, longest destination wins. */
  mounts: ReadonlyArray<{ destination: string; source: string }>;
}

const MAX_HOPS = 40;

/** Path components after Go's filepath.Clean of "/"+path; ".." at the top stays at the top. */
export function containerComponents(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** The host path of already-resolved container components. */
export function hostPathOf(view: ContainerFsView, components: readonly string[]): string {
  let best: { destination: string; source: string } | undefined;
  let bestLen = -1;
  for (const m of view.mounts) {
    const dest = containerComponents(m.destination);
    if (dest.length > components.length || dest.length <= bestLen) continue;
    if (dest.every((c, i) => components[i] === c)) {
      best = m;
      bestLen = dest.length;
    }
  }
  if (best) return join(best.source, ...components.slice(bestLen));
  return join(view.root, ...components);
}

export interface Resolved {
  /** Container path components after resolution. */
  components: string[];
  host: string;
  /** False when only the last component is missing (the parent exists). */
  exists: boolean;
}

/**
 * Resolves `path` in the container. `followLast`: whether a symlink in the last position is
 * followed (Docker follows it only when the path ends in "/" or "/."). A missing parent is ENOENT
 * (as an Error with code); a missing last component gives `exists: false`.
 */
export async function resolveInContainer(view: ContainerFsView, path: string, followLast: boolean): Promise<Resolved> {
  const queue = containerComponents(path);
  let resolved: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const next = [...resolved, c];
    const host = hostPathOf(view, next);
    let st;
    try {
      st = await fsp.lstat(host);
    } catch (err) {
      const code = errnoCode(err);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && queue.length === 0) return { components: next, host, exists: false };
      throw err;
    }
    if (st.isSymbolicLink() && (queue.length > 0 || followLast)) {
      if (++hops > MAX_HOPS) throw invalidParameter(`too many levels of symbolic links: ${path}`);
      const target = await fsp.readlink(host);
      if (target.startsWith('/')) resolved = [];
      queue.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    if (queue.length > 0 && !st.isDirectory()) {
      const e = new Error(`not a directory: /${next.join('/')}`) as Error & { code: string };
      e.code = 'ENOTDIR';
      throw e;
    }
    resolved = next;
  }
  return { components: resolved, host: hostPathOf(view, resolved), exists: true };
}

/**
 * Makes the directories of `components` that are missing (0755, owned by the container's root as
 * Docker's MkdirAll: `owner` is that root's host ids in a remapped container, host root otherwise).
 */
export async function mkdirInContainer(view: ContainerFsView, components: readonly string[], owner?: { uid: number; gid: number }): Promise<string> {
  let cur = '';
  for (let i = 0; i < components.length; i++) {
    const r = await resolveInContainer(view, [...components.slice(0, i + 1)].join('/') , true);
    if (!r.exists) {
      await fsp.mkdir(r.host, { mode: 0o755 });
      if (owner) await fsp.lchown(r.host, owner.uid, owner.gid);
    } else if (!(await fsp.stat(r.host)).isDirectory()) throw invalidParameter(`not a directory: /${r.components.join('/')}`);
    cur = r.host;
  }
  return cur || view.root;
}
