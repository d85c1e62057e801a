import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineError, errnoCode, invalidParameter, notFound } from '../../base/engine-error.js';
import type { ContainerPaths } from '../../container/container-paths.js';
import type { ContainerRecord } from '../../container/container-record.js';
import { packTar } from '../../storage/layer-diff-tar.js';
import type { OverlayLayers } from '../../sys/overlay-mount.js';
import { archiveRootName, extractIntoContainer } from '../../volume/archive-extract.js';
import { containerComponents, resolveInContainer, type ContainerFsView } from '../../volume/container-path.js';
import { mountsOf } from '../../volume/mount-spec.js';
import { encodePathStat, pathStat } from '../../volume/path-stat.js';
import { treeEntries } from '../../volume/tree-entries.js';
import { boolValue } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';

export interface ArchiveRouteDeps {
  containers: { resolve(ref: string): ContainerRecord; paths(id: string): ContainerPaths };
  images: { layerDirs(imageId: string): string[] };
  volumeDir(name: string): string;
  /** Where private root mounts of stopped containers go (under the data root). */
  tmpDir: string;
  overlay: { mount(target: string, layers: OverlayLayers): Promise<void>; unmount(target: string): Promise<void> };
}

interface OpenView {
  view: ContainerFsView;
  release(): Promise<void>;
}

const isUp = (rec: ContainerRecord) => (rec.state.status === 'running' || rec.state.status === 'paused') && rec.state.pid > 0;

/**
 * `docker cp` (HEAD/GET/PUT /containers/{id}/archive) and `docker export`.
 *
 * A running container is seen through /proc/<pid>/root, which shows its root with every mount
 * (volumes, binds, tmpfs) exactly as its processes see them. A stopped container's root is not
 * mounted anywhere, so its overlay is mounted privately for the request (under the data root's
 * tmp/, unmounted when the response ends), and its volumes and binds are spliced in by path. That
 * keeps overlay's own copy-up and whiteout rules in charge of the upper dir instead of a second
 * implementation of them here.
 */
export function archiveRoutes(deps: ArchiveRouteDeps): Route[] {
  const param = (ctx: RequestContext) => ctx.params['id'] ?? '';

  const privateRoot = async (rec: ContainerRecord): Promise<{ root: string; release(): Promise<void> }> => {
    const target = join(deps.tmpDir, `rootfs-${randomBytes(6).toString('hex')}`);
    const p = deps.containers.paths(rec.id);
    await deps.overlay.mount(target, { lowerDirs: deps.images.layerDirs(rec.spec.imageId), upperDir: p.upper, workDir: p.work });
    return { root: target, release: () => deps.overlay.unmount(target) };
  };

  const openView = async (rec: ContainerRecord): Promise<OpenView> => {
    if (isUp(rec)) return { view: { root: `/proc/${rec.state.pid}/root`, mounts: [] }, release: async () => {} };
    const { root, release } = await privateRoot(rec);
    const mounts = mountsOf(rec)
      .filter((m) => m.type !== 'tmpfs')
      .map((m) => ({ destination: m.destination, source: m.type === 'volume' ? deps.volumeDir(m.source) : m.source }));
    return { view: { root, mounts }, release };
  };

  const withView = async <T>(rec: ContainerRecord, fn: (v: ContainerFsView) => Promise<T>): Promise<T> => {
    const v = await openView(rec);
    try {
      return await fn(v.view);
    } finally {
      await v.release();
    }
  };

  const missing = (path: string, ref: string) => notFound(`Could not find the file ${path} in container ${ref}`);

  /** Resolves the source of a cp; Docker follows a last symlink only for "dir/" and "dir/.". */
  const statSource = async (view: ContainerFsView, path: string, ref: string) => {
    const followLast = /\/\.?$/.test(path);
    const r = await resolveInContainer(view, path, followLast).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw missing(path, ref);
      throw err;
    });
    if (!r.exists) throw missing(path, ref);
    // The container's / may be /proc/<pid>/root, a magic link: stat it, lstat everything below.
    const st = r.components.length === 0 ? await fsp.stat(r.host) : await fsp.lstat(r.host);
    let linkTarget = '';
    if (st.isSymbolicLink()) {
      const to = await resolveInContainer(view, path, true).catch(() => undefined);
      linkTarget = to ? `/${to.components.join('/')}` : await fsp.readlink(r.host);
    }
    const name = archiveRootName(path);
    return { r, st, header: encodePathStat(pathStat(name === '.' ? (containerComponents(path).pop() ?? '/') : name, st, linkTarget)) };
  };

  const pathParam = (ctx: RequestContext) => {
    const path = ctx.query.get('path') ?? '';
    if (path === '') throw invalidParameter('Path cannot be empty');
    return path;
  };

  return [
    {
      method: 'HEAD',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = deps.containers.resolve(param(ctx));
        const path = pathParam(ctx);
        const header = await withView(rec, async (view) => (await statSource(view, path, param(ctx))).header);
        ctx.res!.writeHead(200, { 'X-Docker-Container-Path-Stat': header, 'Content-Type': 'application/json' });
        ctx.res!.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = deps.containers.resolve(param(ctx));
        const path = pathParam(ctx);
        const v = await openView(rec);
        try {
          const { r, header } = await statSource(v.view, path, param(ctx));
          const res = ctx.res!;
          res.writeHead(200, { 'X-Docker-Container-Path-Stat': header, 'Content-Type': 'application/x-tar' });
          await pipeline(packTar(treeEntries(r.host, archiveRootName(path), { followRoot: r.components.length === 0 })), res).catch(() => res.destroy());
        } finally {
          await v.release();
        }
      },
    },
    {
      method: 'PUT',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = deps.containers.resolve(param(ctx));
        const path = pathParam(ctx);
        await withView(rec, async (view) => {
          const r = await resolveInContainer(view, path, true).catch((err: unknown) => {
            if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw missing(path, param(ctx));
            throw err;
          });
          if (!r.exists) throw missing(path, param(ctx));
          if (!(await fsp.stat(r.host)).isDirectory()) throw invalidParameter('extraction point is not a directory');
          if (rec.spec.host.readonlyRootfs && !inWritableMount(rec, r.components)) {
            throw new EngineError('Forbidden', 'container rootfs is marked read-only');
          }
          await extractIntoContainer(view, r.components, ctx.req, {
            noOverwriteDirNonDir: boolValue(ctx.query.get('noOverwriteDirNonDir')),
            copyUIDGID: boolValue(ctx.query.get('copyUIDGID')),
            signal: ctx.signal,
          });
        });
        ctx.res!.writeHead(200);
        ctx.res!.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/export',
      handler: async (ctx) => {
        const rec = deps.containers.resolve(param(ctx));
        // The root without any mounts: the monitor's mount while running, a private one otherwise.
        const own = isUp(rec) ? { root: deps.containers.paths(rec.id).rootfs, release: async () => {} } : await privateRoot(rec);
        try {
          const res = ctx.res!;
          res.writeHead(200, { 'Content-Type': 'application/x-tar' });
          await pipeline(packTar(treeEntries(own.root, '', { skipRoot: true, followRoot: true })), res).catch(() => res.destroy());
        } finally {
          await own.release();
        }
      },
    },
  ];
}

function inWritableMount(rec: ContainerRecord, components: readonly string[]): boolean {
  return mountsOf(rec).some((m) => {
    if (m.readOnly) return false;
    const d = containerComponents(m.destination);
    return d.length <= components.length && d.every((c, i) => components[i] === c);
  });
}
