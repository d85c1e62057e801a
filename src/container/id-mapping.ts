import { invalidParameter } from '../base/engine-error.js';
import type { SpecIdMapping } from './runtime-spec-types.js';

/**
 * User-namespace id mappings, pure: reading /etc/subuid-style files, turning subordinate ranges
 * into OCI uid/gid mappings, and translating ids through them. The side effects (useradd,
 * appending to /etc/subuid, chown walks) live in src/sys/.
 */

/** A subordinate id range as /etc/subuid lists it: `name:start:length`. */
export interface IdRange {
  start: number;
  length: number;
}

/** The uid and gid mappings of one user namespace (container id → host id). */
export interface IdMap {
  uidMappings: SpecIdMapping[];
  gidMappings: SpecIdMapping[];
}

/** The user Docker calls `dockremap`; `--userns-remap=default` creates and uses it. */
export const DEFAULT_REMAP_USER = 'skiffremap';

/** What `--userns-remap` names: a user (name or uid) and optionally a group (name or gid). */
export interface RemapSpec {
  user: string;
  group?: string;
}

/** `default`, `user`, `user:group`, `uid`, `uid:gid`, as dockerd's flag takes them. */
export function parseRemapSpec(value: string): RemapSpec {
  if (value === 'default') return { user: DEFAULT_REMAP_USER };
  const parts = value.split(':');
  const [user, group] = parts;
  if (parts.length > 2 || !user || group === '') throw invalidParameter(`invalid --userns-remap value: ${value} (expected "default", "user[:group]" or "uid[:gid]")`);
  return group === undefined ? { user } : { user, group };
}

/**
 * The ranges /etc/subuid (or /etc/subgid) grants to any of `owners` (a name and/or a numeric id,
 * both forms being valid in those files), in file order.
 */
export function parseSubIdFile(text: string, owners: readonly string[]): IdRange[] {
  const out: IdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [owner, start, length] = line.split(':');
    if (owner === undefined || !owners.includes(owner) || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(length ?? '')) continue;
    if (Number(length) > 0) out.push({ start: Number(start), length: Number(length) });
  }
  return out;
}

/** Every range a subid file hands out, to whoever (for picking a free one). */
export function allSubIdRanges(text: string): IdRange[] {
  const owners = text
    .split('\n')
    .map((l) => l.trim().split(':')[0] ?? '')
    .filter((o) => o !== '' && !o.startsWith('#'));
  return parseSubIdFile(text, owners);
}

/**
 * Container ids 0.. laid over the ranges in ascending host order, one mapping per range, as
 * dockerd builds them: the first range's start is the container's root.
 */
export function mappingsFromRanges(ranges: readonly IdRange[]): SpecIdMapping[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let next = 0;
  return sorted.map((r) => {
    const m = { containerID: next, hostID: r.start, size: r.length };
    next += r.length;
    return m;
  });
}

/** The host id a container id maps to; undefined when the namespace does not map it. */
export function toHostId(mappings: readonly SpecIdMapping[], id: number): number | undefined {
  for (const m of mappings) if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  return undefined;
}

/** The container id a host id appears as; undefined when unmapped (shown as nobody inside). */
export function toContainerId(mappings: readonly SpecIdMapping[], hostId: number): number | undefined {
  for (const m of mappings) if (hostId >= m.hostID && hostId < m.hostID + m.size) return m.containerID + (hostId - m.hostID);
  return undefined;
}

/** The host uid/gid of the container's root. */
export function rootPair(map: IdMap): { uid: number; gid: number } {
  const uid = toHostId(map.uidMappings, 0);
  const gid = toHostId(map.gidMappings, 0);
  if (uid === undefined || gid === undefined) throw invalidParameter('the user namespace does not map the container root');
  return { uid, gid };
}

/** A directory name for everything shifted to one mapping: `<root uid>.<root gid>`, Docker's naming. */
export function mapKey(map: IdMap): string {
  const { uid, gid } = rootPair(map);
  return `${uid}.${gid}`;
}

/** The ranges of a user from the subuid and subgid files; Docker's wording when there are none. */
export function idMapFromSubIds(
  who: { userName: string; uid: number; groupName: string; gid: number },
  subuid: string,
  subgid: string,
): IdMap {
  const uids = parseSubIdFile(subuid, [who.userName, String(who.uid)]);
  if (uids.length === 0) throw invalidParameter(`no subuid ranges found for user "${who.userName}"`);
  const gids = parseSubIdFile(subgid, [who.groupName, String(who.gid)]);
  if (gids.length === 0) throw invalidParameter(`no subgid ranges found for group "${who.groupName}"`);
  return { uidMappings: mappingsFromRanges(uids), gidMappings: mappingsFromRanges(gids) };
}

/**
 * Where a new range of `length` ids can start: above every range the file already grants (so
 * it overlaps none), and never below 100000 (ids under it belong to real users and groups).
 */
export function freeSubIdStart(existing: readonly IdRange[], length: number, floor = 100_000): number {
  const top = existing.reduce((max, r) => Math.max(max, r.start + r.length), floor);
  if (top + length > 0xffff_fffe) throw invalidParameter('no free subordinate id range left');
  return top;
}

/** How ids move from container to host under one mapping (for shifting files on disk). */
export interface IdShift {
  uid(id: number): number;
  gid(id: number): number;
  /** The host uid a file capability's root becomes (see storage/file-caps.ts). */
  capRoot(containerRoot: number): number | undefined;
}

/** The shift for a mapping; ids it does not map are kept (they show as nobody inside). */
export function idShiftFor(map: IdMap): IdShift {
  return {
    uid: (id) => toHostId(map.uidMappings, id) ?? id,
    gid: (id) => toHostId(map.gidMappings, id) ?? id,
    capRoot: (root) => toHostId(map.uidMappings, root),
  };
}
