import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineError, errnoCode, invalidParameter, notFound } from '../../base/engine-error.js';
import type { ContainerPaths } from '../../container/container-paths.js';
import type { ContainerRecord } from '../../container/container-record.js';
import type { IdMap } from '../../container/id-mapping.js';
import { hostOwnerShift, unshiftEntryStream } from '../../image/id-shift-tar.js';
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
  /**
   * User namespaces (container/userns-support.ts): the mapping a container's files are owned
   * under, and the shifted layer copies its root is made of. Absent: no container is remapped.
   */
  userns?: {
    filesIdMapFor(rec: ContainerRecord, forWrite: boolean): IdMap | undefined;
    prepareRootfs(paths: ContainerPaths, lowerDirs: readonly string[], map: IdMap): Promise<string[]>;
  };
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

  /**
   * A remapped container's upper dir holds host ids (its root is 100000…), so its private root
   * is made of the same shifted layer copies it runs with: the whole view is then in host ids,
   * unshifted uniformly on the way out, and a copy-up caused by `docker cp` into it puts
   * shifted owners into the upper dir. The image's own layers under that upper dir would show
   * the image's files as root's and the container's as 100000's, and their copy-ups would leave
   * files the container then sees as nobody.
   */
  const privateRoot = async (rec: ContainerRecord, map: IdMap | undefined): Promise<{ root: string; release(): Promise<void> }> => {
    const target = join(deps.tmpDir, `rootfs-${randomBytes(6).toString('hex')}`);
    const p = deps.containers.paths(rec.id);
    const imageDirs = deps.images.layerDirs(rec.spec.imageId);
    const lowerDirs = map && deps.userns ? await deps.userns.prepareRootfs(p, imageDirs, map) : imageDirs;
    await deps.overlay.mount(target, { lowerDirs, upperDir: p.upper, workDir: p.work });
    return { root: target, release: () => deps.overlay.unmount(target) };
  };

  const idMapOf = (rec: ContainerRecord, forWrite: boolean) => deps.userns?.filesIdMapFor(rec, forWrite);

  const openView = async (rec: ContainerRecord, map: IdMap | undefined): Promise<OpenView> => {
    if (isUp(rec)) return { view: { root: `/proc/${rec.state.pid}/root`, mounts: [] }, release: async () => {} };
    const { root, release } = await privateRoot(rec, map);
    const mounts = mountsOf(rec)
      .filter((m) => m.type !== 'tmpfs')
      .map((m) => ({ destination: m.destination, source: m.type === 'volume' ? deps.volumeDir(m.source) : m.source }));
    return { view: { root, mounts }, release };
  };

  const withView = async <T>(rec: ContainerRecord, map: IdMap | undefined, fn: (v: ContainerFsView) => Promise<T>): Promise<T> => {
    const v = await openView(rec, map);
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
        const header = await withView(rec, idMapOf(rec, false), async (view) => (await statSource(view, path, param(ctx))).header);
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
        const map = idMapOf(rec, false);
        const v = await openView(rec, map);
        try {
          const { r, header } = await statSource(v.view, path, param(ctx));
          const res = ctx.res!;
          res.writeHead(200, { 'X-Docker-Container-Path-Stat': header, 'Content-Type': 'application/x-tar' });
          const entries = treeEntries(r.host, archiveRootName(path), { followRoot: r.components.length === 0 });
          await pipeline(packTar(unshiftEntryStream(entries, map)), res).catch(() => res.destroy());
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
        const map = idMapOf(rec, true);
        await withView(rec, map, async (view) => {
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
            ...(map ? { owner: hostOwnerShift(map) } : {}),
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
        const map = idMapOf(rec, false);
        const own = isUp(rec) ? { root: deps.containers.paths(rec.id).rootfs, release: async () => {} } : await privateRoot(rec, map);
        try {
          const res = ctx.res!;
          res.writeHead(200, { 'Content-Type': 'application/x-tar' });
          await pipeline(packTar(unshiftEntryStream(treeEntries(own.root, '', { skipRoot: true, followRoot: true }), map)), res).catch(() => res.destroy());
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
