import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../client/api-error.js';
import tar from 'tar-stream';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';

/**
 * docker cp. The daemon only ever stats a path, sends a tar of one, or unpacks a tar into an
 * existing directory; the naming rules (copy into a directory, rename, "dir/." for contents)
 * live here in the client, as in the docker CLI.
 */
interface PathStat {
  name: string;
  mode: number;
  linkTarget: string;
}

const DIR = 2 ** 31;
const isDirMode = (mode: number) => mode >= DIR;

/** "ctr:/path" names a container path; a path starting with "/" or "." is always local. */
function splitArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

async function statInContainer(ctx: CommandContext, container: string, path: string): Promise<PathStat | undefined> {
  const res = await ctx.client().call('HEAD', `/containers/${encodeURIComponent(container)}/archive`, { query: { path } }).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  });
  if (!res) return undefined;
  res.resume();
  const h = res.headers['x-docker-container-path-stat'];
  return JSON.parse(Buffer.from(String(h), 'base64').toString()) as PathStat;
}

/** Renames the archive's top name `from` to `to` ("" drops it: the entries land directly). */
function rebase(name: string, from: string, to: string): string | undefined {
  const clean = name.replace(/^\.\//, '').replace(/\/$/, '');
  const top = from === '.' ? '' : from;
  if (top === '') return to === '' ? clean || undefined : clean === '' || clean === '.' ? to : `${to}/${clean}`;
  if (clean !== top && !clean.startsWith(`${top}/`)) return clean;
  const rest = clean.slice(top.length);
  const out = `${to}${rest}`.replace(/^\//, '');
  return out === '' ? undefined : out;
}

async function fromContainer(ctx: CommandContext, container: string, src: string, dest: string, follow: boolean): Promise<void> {
  let stat = await statInContainer(ctx, container, src);
  if (!stat) throw new StatusError(1, `Error response from daemon: Could not find the file ${src} in container ${container}`);
  if (follow && stat.linkTarget) {
    src = stat.linkTarget;
    stat = (await statInContainer(ctx, container, src)) ?? stat;
  }
  const res = await ctx.client().call('GET', `/containers/${encodeURIComponent(container)}/archive`, { query: { path: src } });
  if (dest === '-') {
    await pipeline(res, ctx.stdout);
    return;
  }
  const contents = /\/\.$/.test(src);
  const top = contents ? '.' : basename(src.replace(/\/+$/, '')) || '/';
  let into: string;
  let to: string;
  let local: fs.Stats | undefined;
  try {
    local = fs.statSync(dest);
  } catch {
    local = undefined;
  }
  if (local?.isDirectory()) {
    into = dest;
    to = contents ? '' : top;
  } else {
    if (dest.endsWith('/')) throw new StatusError(1, `destination directory "${dest}" must exist`);
    into = dirname(dest);
    to = basename(dest);
    if (contents) fs.mkdirSync(dest, { recursive: true });
  }
  const extract = tar.extract();
  extract.on('entry', (h, body, next) => {
    const name = rebase(h.name, top, to);
    if (!name || name.split('/').includes('..')) {
      body.resume();
      next();
      return;
    }
    const p = join(into, name);
    const done = (err?: unknown) => {
      if (err) return next(err as Error);
      try {
        if (h.type !== 'symlink') fs.chmodSync(p, (h.mode ?? 0o644) & 0o7777);
        if (h.mtime) fs.lutimesSync(p, h.mtime, h.mtime);
      } catch {
        // metadata is best effort, as in docker
      }
      next();
    };
    try {
      if (h.type === 'directory') {
        fs.mkdirSync(p, { recursive: true });
        body.resume();
        done();
      } else if (h.type === 'symlink') {
        fs.rmSync(p, { force: true });
        fs.symlinkSync(h.linkname ?? '', p);
        body.resume();
        done();
      } else if (h.type === 'file') {
        fs.rmSync(p, { force: true });
        pipeline(body, fs.createWriteStream(p)).then(() => done(), done);
      } else {
        body.resume();
        next();
      }
    } catch (e) {
      next(e as Error);
    }
  });
  await pipeline(res, extract);
}

/** Packs a local path as a tar whose top entry is `top` ("" for "dir/.": the contents only). */
async function packLocal(pack: tar.Pack, host: string, name: string, follow: boolean): Promise<void> {
  const st = follow ? fs.statSync(host) : fs.lstatSync(host);
  const header = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  if (st.isDirectory()) {
    if (name !== '') await new Promise<void>((r, j) => pack.entry({ ...header, type: 'directory' }, (e) => (e ? j(e) : r())));
    for (const child of fs.readdirSync(host).sort()) await packLocal(pack, join(host, child), name === '' ? child : `${name}/${child}`, false);
  } else if (st.isSymbolicLink()) {
    await new Promise<void>((r, j) => pack.entry({ ...header, type: 'symlink', linkname: fs.readlinkSync(host) }, (e) => (e ? j(e) : r())));
  } else if (st.isFile()) {
    await new Promise<void>((r, j) => {
      const entry = pack.entry({ ...header, type: 'file', size: st.size }, (e) => (e ? j(e) : r()));
      fs.createReadStream(host).pipe(entry);
    });
  }
}

async function toContainer(ctx: CommandContext, src: string, container: string, dest: string, opts: { follow: boolean; archive: boolean }): Promise<void> {
  const contents = /\/\.$/.test(src);
  const srcStat = opts.follow ? fs.statSync(src) : fs.lstatSync(src);
  let target = await statInContainer(ctx, container, dest);
  if (target?.linkTarget) {
    dest = target.linkTarget;
    target = await statInContainer(ctx, container, dest);
  }
  let dir: string;
  let top: string;
  if (target && isDirMode(target.mode)) {
    dir = dest;
    top = contents ? '' : basename(src.replace(/\/+$/, ''));
  } else {
    if (target && srcStat.isDirectory()) throw new StatusError(1, `cannot copy directory to existing file "${dest}"`);
    if (!target && dest.endsWith('/')) throw new StatusError(1, `Error response from daemon: Could not find the file ${dest} in container ${container}`);
    dir = dirname(dest) || '/';
    top = basename(dest);
  }
  const pack = tar.pack();
  const packing = packLocal(pack, contents ? src.slice(0, -1) : src, top, opts.follow).then(
    () => pack.finalize(),
    (e: unknown) => pack.destroy(e as Error),
  );
  const res = await ctx.client().call('PUT', `/containers/${encodeURIComponent(container)}/archive`, {
    query: { path: dir, copyUIDGID: opts.archive ? 'true' : undefined },
    body: Readable.from(pack as AsyncIterable<Buffer>), // tar-stream's pack is a streamx stream; the client streams Node Readables
    headers: { 'Content-Type': 'application/x-tar' },
  });
  res.resume();
  await packing;
}

export const cpCommand: CommandDef = {
  name: 'cp',
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n  skiff cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  flags: [
    { name: 'archive', short: 'a', type: 'bool' },
    { name: 'follow-link', short: 'L', type: 'bool' },
    { name: 'quiet', short: 'q', type: 'bool' },
  ],
  args: { min: 2, max: 2 },
  run: async (ctx, f) => {
    const [a = '', b = ''] = f.args;
    const src = splitArg(a);
    const dst = splitArg(b);
    if (src.container && dst.container) throw new StatusError(1, 'copying between containers is not supported');
    if (!src.container && !dst.container) throw new StatusError(1, 'must specify at least one container source');
    if (src.container) await fromContainer(ctx, src.container, src.path, dst.path, f.bool('follow-link'));
    else await toContainer(ctx, src.path, dst.container ?? '', dst.path, { follow: f.bool('follow-link'), archive: f.bool('archive') });
    return 0;
  },
};
