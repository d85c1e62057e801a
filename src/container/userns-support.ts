import { join } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import type { Logger } from '../base/log.js';
import { mountsOf } from '../volume/mount-spec.js';
import type { ContainerPaths } from './container-paths.js';
import type { ContainerRecord, ContainerSpec, HostOptions } from './container-record.js';
import { mapKey, rootPair, type IdMap, type IdRange } from './id-mapping.js';
import { allocateBlock, autoIdMap, hostRanges, usernsChoice } from './userns-plan.js';

/** Copies of image layers with owners shifted for a mapping (storage/shifted-layers.ts). */
export interface ShiftedLayerCache {
  dirsFor(lowerDirs: readonly string[], key: string, shift: (src: string, dst: string) => Promise<void>): Promise<string[]>;
  removeKey(key: string): Promise<void>;
  cleanup(liveLayers: ReadonlySet<string>, liveKeys: ReadonlySet<string>): Promise<void>;
}

export interface UsernsSupportDeps {
  /** The daemon-wide --userns-remap mapping; absent: containers run in the host's user namespace. */
  remap?: IdMap;
  /** The subordinate ids --userns=auto hands out (made on first use: /etc/subuid changes). */
  autoPool(): { uids: IdRange[]; gids: IdRange[] };
  containers(): ContainerRecord[];
  saveSpec(id: string, spec: ContainerSpec): void;
  layers: ShiftedLayerCache;
  /** Copies a layer with owners shifted (sys/shift-tree.ts copyShiftedTree). */
  copyShifted(src: string, dst: string, map: IdMap): Promise<void>;
  /** Chowns a directory itself (the upper dir). */
  chownTop(path: string, uid: number, gid: number): Promise<void>;
  /** Chowns an empty, host-root-owned directory (a fresh volume). */
  chownIfFresh(path: string, uid: number, gid: number): Promise<boolean>;
  volumeDir(name: string): string;
  /** Where user namespace files live: `<exec-root>/userns/<id>`, bind-mounted nsfs like netns files. */
  usernsDir: string;
  /** Unmounts and deletes a namespace file; harmless when it is gone. */
  removeNsFile(path: string): Promise<void>;
  listNsFiles(dir: string): Promise<string[]>;
  log: Logger;
}

/** The user namespace a start runs in: made with its network namespace, or another container's. */
export interface UsernsNamespace {
  path: string;
  /** True: the network set-up creates it (owning the new net namespace); false: it exists. */
  create: boolean;
}

/**
 * User namespaces for containers: --userns-remap (one mapping for the daemon, Docker's) and
 * --userns=auto (a private 65536-id block per container, Podman's). The block is allocated at
 * the container's first start and kept in its record (HostOptions.usernsIdMap), so its files
 * keep their owners across restarts; it is free again once the record is gone (usage is read
 * from the records, never counted). Allocation is synchronous from scan to save, so two starts
 * can never pick the same block.
 */
export class UsernsSupport {
  constructor(private readonly deps: UsernsSupportDeps) {}

  get remapEnabled(): boolean {
    return this.deps.remap !== undefined;
  }

  /** dockerd's create-time checks (privileged, host network/PID need --userns=host). */
  checkCreate(host: HostOptions): void {
    usernsChoice(host, this.remapEnabled);
  }

  /** The mapping a start runs with, or undefined for the host's user namespace. */
  idMapFor(rec: ContainerRecord): IdMap | undefined {
    const existing = this.existingIdMapFor(rec);
    if (existing !== undefined || usernsChoice(rec.spec.host, this.remapEnabled).kind !== 'auto') return existing;
    return this.allocate(rec);
  }

  /** The mapping a container ran with, never allocating one (commit and build read its upper dir). */
  existingIdMapFor(rec: ContainerRecord): IdMap | undefined {
    const choice = usernsChoice(rec.spec.host, this.remapEnabled);
    if (choice.kind === 'host') return undefined;
    if (choice.kind === 'remap') return this.deps.remap;
    return rec.spec.host.usernsIdMap;
  }

  /**
   * The mapping a container's files are owned under, for `docker cp` and `docker export`.
   * Reading never allocates (a --userns=auto container that never started has written nothing
   * under any mapping); writing does, so files copied in before the first start already belong
   * to the block that start will use.
   */
  filesIdMapFor(rec: ContainerRecord, forWrite: boolean): IdMap | undefined {
    return forWrite ? this.idMapFor(rec) : this.existingIdMapFor(rec);
  }

  private allocate(rec: ContainerRecord): IdMap {
    const pool = this.deps.autoPool();
    const held = this.deps.containers().filter((c) => c.id !== rec.id && c.spec.host.usernsIdMap);
    const takenU = held.flatMap((c) => hostRanges(c.spec.host.usernsIdMap?.uidMappings ?? []));
    const takenG = held.flatMap((c) => hostRanges(c.spec.host.usernsIdMap?.gidMappings ?? []));
    const map = autoIdMap(allocateBlock(pool.uids, takenU), allocateBlock(pool.gids, takenG));
    this.deps.saveSpec(rec.id, { ...rec.spec, host: { ...rec.spec.host, usernsIdMap: map } });
    this.deps.log.debug('allocated a user namespace', { id: rec.id, key: mapKey(map) });
    return map;
  }

  /** This container's own user namespace file. */
  usernsPath(id: string): string {
    return join(this.deps.usernsDir, id);
  }

  /**
   * The namespace file the container joins. It must own the container's net namespace (else
   * runc cannot mount sysfs, and `runc exec` cannot enter the net namespace after the user
   * one), so it is made together with it; a container sharing another's net, PID or IPC
   * namespace shares that one's user namespace, as dockerd does.
   */
  namespaceFor(rec: ContainerRecord, map: IdMap, lookup: (ref: string) => ContainerRecord): UsernsNamespace {
    const h = rec.spec.host;
    const shared = [h.networkMode, h.pidMode, h.ipcMode].filter((m) => m.startsWith('container:')).map((m) => lookup(m.slice('container:'.length)));
    const first = shared[0];
    if (first === undefined) return { path: this.usernsPath(rec.id), create: true };
    if (shared.some((o) => o.id !== first.id)) throw invalidParameter('namespaces shared with different containers cannot share one user namespace');
    const theirs = this.idMapFor(first);
    if (first.state.status !== 'running' || !theirs || mapKey(theirs) !== mapKey(map)) {
      throw invalidParameter(`cannot share the namespaces of container ${first.id}: it does not run in the same user namespace`);
    }
    return { path: this.usernsPath(first.id), create: false };
  }

  /** Lifecycle hook: the stopped container's user namespace file goes (its net namespace went too). */
  async released(rec: ContainerRecord): Promise<void> {
    await this.deps.removeNsFile(this.usernsPath(rec.id));
  }

  /** At startup: user namespace files of containers that are not running go. */
  async reconcileFiles(isRunning: (id: string) => boolean): Promise<void> {
    for (const f of await this.deps.listNsFiles(this.deps.usernsDir)) {
      const id = f.slice(f.lastIndexOf('/') + 1);
      if (!isRunning(id)) await this.deps.removeNsFile(f);
    }
  }

  /**
   * Before the overlay is mounted: the image's layers as shifted copies (returned, top first,
   * to be the lower dirs) and the container's upper dir owned by its root.
   */
  async prepareRootfs(paths: ContainerPaths, lowerDirs: readonly string[], map: IdMap): Promise<string[]> {
    const { uid, gid } = rootPair(map);
    const dirs = await this.deps.layers.dirsFor(lowerDirs, mapKey(map), (src, dst) => this.deps.copyShifted(src, dst, map));
    await this.deps.chownTop(paths.upper, uid, gid);
    return dirs;
  }

  /** After the volumes are ready: fresh (empty) volume directories belong to the container's root. */
  async ownVolumes(rec: ContainerRecord, map: IdMap): Promise<void> {
    const { uid, gid } = rootPair(map);
    for (const m of mountsOf(rec)) {
      if (m.type !== 'volume') continue;
      if (await this.deps.chownIfFresh(this.deps.volumeDir(m.source), uid, gid)) {
        this.deps.log.debug('volume given to the remapped root', { volume: m.source, uid, gid });
      }
    }
  }

  /** Lifecycle hook: an auto container's layer copies are its own; they go with it. */
  async removed(rec: ContainerRecord): Promise<void> {
    const map = rec.spec.host.usernsIdMap;
    if (!map) return;
    const key = mapKey(map);
    // Another container could only share the key if it held the same block, which allocation forbids.
    if (this.deps.remap && mapKey(this.deps.remap) === key) return;
    await this.deps.layers.removeKey(key);
  }

  /** At startup: drops copies of layers gone from the store (`liveLayers`: chainID hexes) and of mappings no longer used. */
  async cleanupLayers(liveLayers: ReadonlySet<string>): Promise<void> {
    await this.deps.layers.cleanup(liveLayers, this.liveKeys());
  }

  /** Mapping keys whose layer copies are still wanted (startup cleanup keeps these). */
  liveKeys(): Set<string> {
    const keys = new Set<string>();
    if (this.deps.remap) keys.add(mapKey(this.deps.remap));
    for (const c of this.deps.containers()) if (c.spec.host.usernsIdMap) keys.add(mapKey(c.spec.host.usernsIdMap));
    return keys;
  }
}
