import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { conflict, invalidParameter, isEngineError, notFound } from '../base/engine-error.js';
import { newId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import type { ContainerRecord } from '../container/container-record.js';
import type { VolumeMount } from '../container/runtime-spec.js';
import { copyUp } from './copy-up.js';
import { checkVolumeName, inheritedMounts, parseVolumesFrom } from './mount-plan.js';
import { mountsOf, type MountSpec } from './mount-spec.js';

export { mountsOf } from './mount-spec.js';
import { runtimeMounts } from './runtime-mounts.js';
import { ANONYMOUS_LABEL, type VolumeRecord, type VolumeStore } from './volume-store.js';

export interface VolumeServiceDeps {
  store: VolumeStore;
  /** Every container record (usage is computed, never counted: nothing to drift). */
  containers(): ContainerRecord[];
  resolveContainer(ref: string): ContainerRecord;
  /** Persists a container's spec (--volumes-from is expanded once, right after create). */
  saveSpec(id: string, spec: ContainerRecord['spec']): void;
  recursiveReadOnly: boolean;
  log: Logger;
}

export interface VolumeFilters {
  dangling?: boolean;
  names: string[];
  labels: string[];
  drivers: string[];
}

function matchesLabel(labels: Record<string, string> | null, want: string): boolean {
  const eq = want.indexOf('=');
  const l = labels ?? {};
  if (eq === -1) return want in l;
  return l[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Volumes, their use by containers, and the container-side steps: create, start, remove. */
export class VolumeService {
  constructor(private readonly deps: VolumeServiceDeps) {}

  get store(): VolumeStore {
    return this.deps.store;
  }

  /** IDs of containers whose mounts name the volume. */
  users(name: string): string[] {
    return this.deps.containers().filter((c) => mountsOf(c).some((m) => m.type === 'volume' && m.source === name)).map((c) => c.id);
  }

  create(name: string | undefined, opts: { driver?: string; labels?: Record<string, string> | null; options?: Record<string, string> | null } = {}): VolumeRecord {
    if (opts.driver && opts.driver !== 'local') throw notFound(`plugin "${opts.driver}" not found`);
    const volName = name || newId();
    checkVolumeName(volName);
    for (const k of Object.keys(opts.options ?? {})) {
      throw invalidParameter(`invalid option: "${k}" (this engine's local driver takes no options)`);
    }
    return this.deps.store.ensure(volName, { labels: opts.labels ?? null, options: opts.options ?? null, anonymous: !name });
  }

  list(f: VolumeFilters): VolumeRecord[] {
    const used = new Set(this.deps.containers().flatMap((c) => mountsOf(c).filter((m) => m.type === 'volume').map((m) => m.source)));
    return this.deps.store.list().filter((v) => {
      if (f.dangling !== undefined && f.dangling === used.has(v.name)) return false;
      if (f.names.length > 0 && !f.names.some((n) => v.name.includes(n))) return false;
      if (!f.labels.every((l) => matchesLabel(v.labels, l))) return false;
      if (f.drivers.length > 0 && !f.drivers.includes(v.driver)) return false;
      return true;
    });
  }

  async remove(name: string, force = false): Promise<void> {
    if (!this.deps.store.get(name)) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.deps.store.remove(name);
  }

  /** Unused volumes; only anonymous ones unless `all` (Docker's API ≥ 1.42 default). */
  async prune(f: VolumeFilters, all: boolean): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    for (const v of this.list({ ...f, dangling: true })) {
      if (!all && !v.anonymous && !(v.labels && ANONYMOUS_LABEL in v.labels)) continue;
      await this.deps.store.remove(v.name);
      deleted.push(v.name);
    }
    return { deleted, reclaimed: 0 };
  }

  /**
   * Right after a container is recorded: its volumes come into being (so `volume ls` shows them,
   * as in Docker), and --volumes-from is expanded into the other containers' mounts.
   */
  onCreated(rec: ContainerRecord): void {
    let mounts = mountsOf(rec);
    const from = rec.spec.host.volumesFrom ?? [];
    if (from.length > 0) {
      const taken = new Set(mounts.map((m) => m.destination));
      const inherited: MountSpec[] = [];
      const unresolved: string[] = [];
      for (const entry of from) {
        const { ref, mode } = parseVolumesFrom(entry);
        let other: ContainerRecord;
        try {
          other = this.deps.resolveContainer(ref);
        } catch (err) {
          if (!isEngineError(err, 'NotFound')) throw err;
          unresolved.push(entry); // reported by the start
          continue;
        }
        for (const m of inheritedMounts(mountsOf(other), mode)) {
          if (taken.has(m.destination)) continue;
          taken.add(m.destination);
          // Lent, not owned: this container's `rm -v` must not take the other's volume.
          inherited.push({ ...m, anonymous: false });
        }
      }
      mounts = [...inherited, ...mounts];
      this.deps.saveSpec(rec.id, { ...rec.spec, host: { ...rec.spec.host, mounts, volumesFrom: [], volumesFromUnresolved: unresolved } });
    }
    for (const m of mounts) {
      if (m.type === 'volume') this.deps.store.ensure(m.source, { anonymous: m.anonymous === true, labels: m.volumeLabels ?? null });
    }
  }

  /**
   * Before every start: volumes exist, missing -v host paths are made, fresh volumes get the
   * image's content. Returns the OCI mounts. `layers`: the upper dir, then the image's layers.
   */
  async prepareStart(rec: ContainerRecord, layers: readonly string[]): Promise<VolumeMount[]> {
    const missing = rec.spec.host.volumesFromUnresolved ?? [];
    if (missing.length > 0) throw notFound(`No such container: ${parseVolumesFrom(missing[0] ?? '').ref}`);
    const mounts = mountsOf(rec);
    for (const m of mounts) {
      if (m.type === 'bind') {
        if (!existsSync(m.source)) {
          if (!m.createHostPath) throw invalidParameter(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
          mkdirSync(m.source, { recursive: true, mode: 0o755 });
        }
        continue;
      }
      if (m.type !== 'volume') continue;
      this.deps.store.ensure(m.source, { anonymous: m.anonymous === true, labels: m.volumeLabels ?? null });
      const dir = this.deps.store.dataDir(m.source);
      if (m.noCopy || !isEmptyDir(dir)) continue;
      const copied = await copyUp(layers, m.destination.replace(/^\/+/, ''), dir).catch((err: unknown) => {
        this.deps.log.warn('copy-up into volume failed', { volume: m.source, err });
        return false;
      });
      if (copied) this.deps.log.debug('copied image content into volume', { volume: m.source, destination: m.destination });
    }
    return runtimeMounts(mounts, { volumeDir: (n) => this.deps.store.dataDir(n), recursiveReadOnly: this.deps.recursiveReadOnly });
  }

  /** After a container is removed: its anonymous volumes go with `rm -v` or `--rm`, named ones stay. */
  async onRemoved(rec: ContainerRecord, removeVolumes: boolean): Promise<void> {
    if (!removeVolumes && !rec.spec.host.autoRemove) return;
    for (const m of mountsOf(rec)) {
      if (m.type !== 'volume' || !m.anonymous) continue;
      const v = this.deps.store.get(m.source);
      if (!v) continue;
      if (this.users(m.source).some((id) => id !== rec.id)) continue; // still lent to another container
      await this.deps.store.remove(m.source).catch((err: unknown) => this.deps.log.warn('removing volume failed', { volume: m.source, err }));
    }
  }

  /** Docker's volume JSON. */
  shape(v: VolumeRecord): Record<string, unknown> {
    return { CreatedAt: v.createdAt, Driver: v.driver, Labels: v.labels, Mountpoint: this.deps.store.dataDir(v.name), Name: v.name, Options: v.options, Scope: 'local' };
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}
