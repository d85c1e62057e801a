import type { ContainerRecord } from '../container/container-record.js';
import { realDiffFs, upperChanges, type UpperChange } from '../storage/layer-diff.js';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import { idShiftFor, type IdMap } from '../container/id-mapping.js';
import { unshiftEntries } from './unshift-entries.js';
import { mountsOf } from '../volume/mount-spec.js';
import { applyChanges } from './change-instructions.js';
import { commitLayer, type CommitLayerDeps } from './commit.js';
import type { ContainerConfigFields, ImageRecord } from './image-config.js';

/** What commit needs of the container side (ContainerService fits). */
export interface ContainerSource {
  resolve(ref: string): ContainerRecord;
  paths(id: string): { upper: string };
  /** The user-namespace mapping the container ran with (its upper dir holds host ids then). */
  idMapOf?(rec: ContainerRecord): IdMap | undefined;
}

export interface CommitContainerOptions {
  author?: string;
  comment?: string;
  /** Dockerfile-style `--change` lines. */
  changes?: string[];
  /** The request body's Config: fields set there replace the container's. */
  config?: Partial<ContainerConfigFields> | null;
  signal?: AbortSignal;
}

/** The runnable config a container was created with, in image-config form (what Docker commits). */
export function configOfContainer(rec: ContainerRecord, image: ImageRecord | undefined): ContainerConfigFields {
  const s = rec.spec;
  const base = image?.config.config ?? {};
  const out: ContainerConfigFields = {
    User: s.user,
    Env: s.env,
    Cmd: s.cmd,
    WorkingDir: s.workingDir,
    Entrypoint: s.entrypoint,
    Labels: s.labels,
    OnBuild: base.OnBuild ?? null,
  };
  if (s.exposedPorts.length > 0) out.ExposedPorts = Object.fromEntries(s.exposedPorts.map((p) => [p, {}]));
  // Config.Volumes (which holds `-v /path` volumes) and the image's, as Docker's commit keeps them.
  if (s.volumes.length > 0) out.Volumes = Object.fromEntries(s.volumes.map((v) => [v, {}]));
  else if (base.Volumes) out.Volumes = base.Volumes;
  if (s.stopSignal) out.StopSignal = s.stopSignal;
  if (base.Healthcheck) out.Healthcheck = base.Healthcheck;
  if (base.Shell) out.Shell = base.Shell;
  return out;
}

/** Overlays the non-empty fields of a commit body's Config on the container's (Docker's merge). */
function mergeConfig(base: ContainerConfigFields, over: Partial<ContainerConfigFields> | null | undefined): ContainerConfigFields {
  const out: ContainerConfigFields = { ...base };
  if (!over) return out;
  for (const [k, v] of Object.entries(over) as Array<[keyof ContainerConfigFields, unknown]>) {
    const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    if (!empty) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export function entriesOf(changes: readonly UpperChange[]): TarEntry[] {
  return changes.flatMap((c) => (c.entry ? [c.entry] : []));
}

/**
 * Volumes, binds and tmpfs stay out of a commit; their mount-point directories stay in (Docker
 * keeps them so the image can be run with the same mounts). `destinations`: absolute paths.
 */
export function withoutMountContents(changes: readonly UpperChange[], destinations: readonly string[]): UpperChange[] {
  const prefixes = destinations.map((d) => d.replace(/^\/+|\/+$/g, '') + '/').filter((p) => p !== '/');
  return changes.filter((c) => !prefixes.some((p) => c.path.startsWith(p)));
}

/**
 * `docker commit`: the container's upper dir becomes one layer on its image.
 * Pausing needs the runtime's freezer control, which skiff does not have yet: the upper dir is
 * read while the container may still write (Docker's `--pause=false` behaviour).
 */
export async function commitContainer(
  deps: CommitLayerDeps & { containers: ContainerSource },
  ref: string,
  opts: CommitContainerOptions = {},
): Promise<ImageRecord> {
  const rec = deps.containers.resolve(ref);
  const image = deps.images.records.get(rec.spec.imageId);
  const lowers = image ? deps.images.layerDirs(image.id) : [];
  const config = applyChanges(mergeConfig(configOfContainer(rec, image), opts.config), opts.changes ?? []);
  const idMap = deps.containers.idMapOf?.(rec);
  const changes = withoutMountContents(
    await upperChanges(deps.containers.paths(rec.id).upper, lowers, realDiffFs, idMap ? idShiftFor(idMap) : undefined),
    mountsOf(rec).map((m) => m.destination),
  );
  const { image: out } = await commitLayer(deps, {
    parent: image,
    entries: idMap ? unshiftEntries(entriesOf(changes), idMap) : entriesOf(changes),
    config,
    createdBy: (rec.spec.cmd ?? []).join(' '),
    author: opts.author,
    comment: opts.comment,
    containerId: rec.id,
    signal: opts.signal,
  });
  return out;
}
