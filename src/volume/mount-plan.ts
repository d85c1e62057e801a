import { invalidParameter } from '../base/engine-error.js';
import type { MountSpec } from './mount-spec.js';

/**
 * Docker's mount sources for a new container → one mount per destination. Pure: the caller says
 * which host paths exist and how to name an anonymous volume.
 *
 * Precedence, as dockerd's registerMountPoints: --volumes-from first, then -v binds and --mount
 * (a destination named twice among those is an error), then --tmpfs, then Config.Volumes and the
 * image's VOLUMEs as anonymous volumes where nothing else is mounted.
 */
export interface MountPlanInput {
  binds: readonly string[];
  /** HostConfig.Mounts as sent. */
  mounts: readonly unknown[];
  /** HostConfig.Tmpfs: destination → "size=64m,mode=1777,…". */
  tmpfs: Readonly<Record<string, string>>;
  /** Config.Volumes keys, then the image's. */
  volumes: readonly string[];
  /** Already-resolved mounts of --volumes-from containers. */
  inherited?: readonly MountSpec[];
  hostPathExists(path: string): boolean;
  newVolumeName(): string;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Removes "." and "..", duplicate and trailing slashes, as Go's filepath.Clean. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (p.startsWith('/') ? '/' : '') + out.join('/');
}

export function checkVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw invalidParameter(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

function checkTarget(type: string, target: string): string {
  if (!target.startsWith('/')) throw invalidParameter(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  const clean = cleanPath(target);
  if (clean === '/') throw invalidParameter(`invalid specification: destination can't be '/'`);
  return clean;
}

/** One `-v` entry (HostConfig.Binds): "/host:/ctr[:opts]" or "name:/ctr[:opts]". */
export function parseBindSpec(raw: string, newVolumeName: () => string): MountSpec {
  const parts = raw.split(':');
  if (parts.length < 2 || parts.length > 3) {
    if (parts.length === 1 && raw.startsWith('/')) {
      return { type: 'volume', source: newVolumeName(), destination: checkTarget('volume', raw), readOnly: false, mode: '', propagation: '', anonymous: true };
    }
    throw invalidParameter(`invalid volume specification: '${raw}'`);
  }
  const [source = '', target = '', mode = ''] = parts;
  if (source === '') throw invalidParameter(`invalid volume specification: '${raw}'`);
  const bind = source.startsWith('/');
  const type = bind ? 'bind' : 'volume';
  const destination = checkTarget(type, target);
  let readOnly = false;
  let propagation = '';
  let noCopy = false;
  let rwSeen = false;
  for (const opt of mode.split(',').filter(Boolean)) {
    if (opt === 'ro' || opt === 'rw') {
      if (rwSeen) throw invalidParameter(`invalid mode: ${mode}`);
      rwSeen = true;
      readOnly = opt === 'ro';
    } else if (PROPAGATIONS.includes(opt)) {
      if (propagation !== '' || !bind) throw invalidParameter(`invalid mode: ${mode}`);
      propagation = opt;
    } else if (opt === 'nocopy' && !bind) noCopy = true;
    else if (opt === 'z' || opt === 'Z') continue; // SELinux relabelling: nothing to do without SELinux
    else if (opt === 'cached' || opt === 'delegated' || opt === 'consistent') continue; // macOS consistency hints
    else throw invalidParameter(`invalid mode: ${mode}`);
  }
  if (bind) {
    return { type, source: cleanPath(source), destination, readOnly, mode, propagation: propagation || 'rprivate', createHostPath: true };
  }
  checkVolumeName(source);
  // Docker shows "z" for a named volume given without options (its default relabel mode).
  return { type, source, destination, readOnly, mode: mode || 'z', propagation: '', ...(noCopy ? { noCopy } : {}) };
}

type WireMount = {
  Type?: unknown;
  Source?: unknown;
  Target?: unknown;
  ReadOnly?: unknown;
  Consistency?: unknown;
  BindOptions?: { Propagation?: unknown; NonRecursive?: unknown; CreateMountpoint?: unknown } | null;
  VolumeOptions?: { NoCopy?: unknown; Labels?: unknown; DriverConfig?: { Name?: unknown; Options?: unknown } | null; Subpath?: unknown } | null;
  TmpfsOptions?: { SizeBytes?: unknown; Mode?: unknown; Options?: unknown } | null;
};

const KNOWN_MOUNT_FIELDS = new Set(['Type', 'Source', 'Target', 'ReadOnly', 'Consistency', 'BindOptions', 'VolumeOptions', 'TmpfsOptions']);
const set = (v: unknown) => v !== undefined && v !== null;

/** One HostConfig.Mounts element (`--mount`), with dockerd's validation wording. */
export function parseMountObject(raw: unknown, hostPathExists: (p: string) => boolean, newVolumeName: () => string): MountSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParameter('invalid mount config: a mount must be an object');
  const m = raw as WireMount;
  const type = typeof m.Type === 'string' ? m.Type : '';
  const bad = (why: string) => invalidParameter(`invalid mount config for type "${type}": ${why}`);
  for (const key of Object.keys(m)) if (!KNOWN_MOUNT_FIELDS.has(key)) throw bad(`unknown option ${JSON.stringify(key)}`);
  const source = typeof m.Source === 'string' ? m.Source : '';
  const target = typeof m.Target === 'string' ? m.Target : '';
  const readOnly = m.ReadOnly === true;
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw bad('mount type unknown');
  if (target === '') throw bad('field Target must not be empty');
  const destination = checkTarget(type, target);
  if (type !== 'bind' && set(m.BindOptions)) throw bad('field BindOptions must not be specified');
  if (type !== 'volume' && set(m.VolumeOptions)) throw bad('field VolumeOptions must not be specified');
  if (type !== 'tmpfs' && set(m.TmpfsOptions)) throw bad('field TmpfsOptions must not be specified');

  if (type === 'bind') {
    if (source === '') throw bad('field Source must not be empty');
    if (!source.startsWith('/')) throw bad(`invalid mount path: '${source}' mount path must be absolute`);
    const prop = m.BindOptions?.Propagation;
    if (set(prop) && (typeof prop !== 'string' || (prop !== '' && !PROPAGATIONS.includes(prop)))) throw bad(`invalid propagation mode: ${String(prop)}`);
    if (m.BindOptions?.NonRecursive === true) throw bad('non-recursive bind mounts are not supported by this engine');
    const clean = cleanPath(source);
    const create = m.BindOptions?.CreateMountpoint === true;
    if (!create && !hostPathExists(clean)) throw bad(`bind source path does not exist: ${clean}`);
    return { type: 'bind', source: clean, destination, readOnly, mode: '', propagation: (prop as string) || 'rprivate', ...(create ? { createHostPath: true } : {}) };
  }

  if (type === 'volume') {
    const vo = m.VolumeOptions ?? {};
    const driver = vo.DriverConfig?.Name;
    if (set(driver) && driver !== '' && driver !== 'local') throw bad(`volume driver "${String(driver)}" is not supported; only local is`);
    if (set(vo.Subpath) && vo.Subpath !== '') throw bad('volume subpaths are not supported by this engine');
    const labels = vo.Labels;
    if (set(labels) && (typeof labels !== 'object' || Array.isArray(labels))) throw bad('VolumeOptions.Labels must be an object');
    const anonymous = source === '';
    if (!anonymous) checkVolumeName(source);
    const out: MountSpec = { type: 'volume', source: anonymous ? newVolumeName() : source, destination, readOnly, mode: '', propagation: '' };
    if (anonymous) out.anonymous = true;
    if (vo.NoCopy === true) out.noCopy = true;
    if (labels && Object.keys(labels).length > 0) out.volumeLabels = labels as Record<string, string>;
    return out;
  }

  if (source !== '') throw bad('field Source must not be specified');
  const to = m.TmpfsOptions ?? {};
  const size = typeof to.SizeBytes === 'number' ? to.SizeBytes : 0;
  if (size < 0) throw bad('invalid tmpfs size');
  const mode = typeof to.Mode === 'number' ? to.Mode : 0;
  return { type: 'tmpfs', source: '', destination, readOnly, mode: '', propagation: '', ...(size ? { tmpfsSize: size } : {}), ...(mode ? { tmpfsMode: mode } : {}) };
}

/** Bytes from "64m", "1g", "512k", "1024": tmpfs's own suffixes. */
function tmpfsBytes(v: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(v);
  if (!m) throw invalidParameter(`invalid tmpfs size: ${v}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

/** One HostConfig.Tmpfs entry (`--tmpfs /run:size=64m,mode=1777,exec`). */
export function parseTmpfsEntry(target: string, options: string): MountSpec {
  const destination = checkTarget('tmpfs', target);
  const out: MountSpec = { type: 'tmpfs', source: '', destination, readOnly: false, mode: '', propagation: '' };
  const extra: string[] = [];
  for (const opt of options.split(',').filter(Boolean)) {
    const [k = '', v = ''] = opt.split('=', 2);
    if (k === 'size') out.tmpfsSize = tmpfsBytes(v);
    else if (k === 'mode') {
      if (!/^[0-7]{1,4}$/.test(v)) throw invalidParameter(`invalid tmpfs mode: ${v}`);
      out.tmpfsMode = parseInt(v, 8);
    } else if (k === 'ro') out.readOnly = true;
    else if (k === 'rw') out.readOnly = false;
    else if (['exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol', 'atime', 'noatime', 'relatime'].includes(k)) extra.push(opt);
    else throw invalidParameter(`invalid tmpfs option: ${opt}`);
  }
  if (extra.length > 0) out.tmpfsOptions = extra;
  return out;
}

export function planMounts(input: MountPlanInput): MountSpec[] {
  const byDest = new Map<string, MountSpec>();
  for (const m of input.inherited ?? []) byDest.set(m.destination, { ...m });
  const explicit = new Set<string>();
  const add = (m: MountSpec) => {
    if (explicit.has(m.destination)) throw invalidParameter(`Duplicate mount point: ${m.destination}`);
    explicit.add(m.destination);
    byDest.set(m.destination, m);
  };
  for (const b of input.binds) add(parseBindSpec(b, input.newVolumeName));
  for (const m of input.mounts) add(parseMountObject(m, input.hostPathExists, input.newVolumeName));
  for (const [target, opts] of Object.entries(input.tmpfs)) add(parseTmpfsEntry(target, opts));
  for (const v of input.volumes) {
    const destination = checkTarget('volume', v);
    if (byDest.has(destination)) continue;
    byDest.set(destination, { type: 'volume', source: input.newVolumeName(), destination, readOnly: false, mode: '', propagation: '', anonymous: true });
  }
  return [...byDest.values()];
}

/** `--volumes-from x[:ro|:rw]` → the container reference and the mode forced on its mounts. */
export function parseVolumesFrom(entry: string): { ref: string; mode: 'ro' | 'rw' | '' } {
  const [ref = '', mode = '', ...rest] = entry.split(':');
  if (ref === '' || rest.length > 0 || (mode !== '' && mode !== 'ro' && mode !== 'rw')) {
    throw invalidParameter(`invalid mode: ${mode || entry}`);
  }
  return { ref, mode };
}

/** The mounts a --volumes-from container lends: all but tmpfs, read-only when asked. */
export function inheritedMounts(source: readonly MountSpec[], mode: 'ro' | 'rw' | ''): MountSpec[] {
  return source
    .filter((m) => m.type !== 'tmpfs')
    .map((m) => ({ ...m, readOnly: mode === '' ? m.readOnly : mode === 'ro', createHostPath: false }));
}
