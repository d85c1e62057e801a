import { invalidParameter } from '../base/engine-error.js';

/** Reads a file of the container's root filesystem by its in-container path; undefined when absent. */
export type RootfsReader = (path: string) => string | undefined;

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the user's memberships in /etc/group (implicit form only) plus GroupAdd. */
  additionalGids: number[];
  /** HOME from passwd, "/" when the user has no entry. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;

/** Lines of a colon-separated database; blank lines and comments skipped. */
function records(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/** Go's Atoi-ish: a decimal integer or NaN (so "1e3" and "" do not count as numbers). */
function toInt(s: string | undefined): number {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : Number.NaN;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return records(text).map((f) => ({
    name: f[0] ?? '',
    uid: toInt(f[2]) || 0,
    gid: toInt(f[3]) || 0,
    home: f[5] ?? '',
  }));
}

export function parseGroup(text: string): GroupEntry[] {
  return records(text).map((f) => ({
    name: f[0] ?? '',
    gid: toInt(f[2]) || 0,
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw invalidParameter(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

/**
 * Resolves a Docker `User` ("", "1000", "1000:1000", "alice", "alice:staff", "1000:staff") against
 * the container's /etc/passwd and /etc/group, following runc's user package:
 * - a numeric user needs no passwd entry; a name does ("unable to find user …");
 * - "" means uid 0, looked up in passwd for its gid, home and groups;
 * - supplementary groups come from /etc/group membership only when no group was given;
 * - an explicit group must exist in /etc/group unless numeric.
 * `groupAdd` (HostConfig.GroupAdd) appends further groups, by name or number.
 */
export function resolveUser(userSpec: string, readFile: RootfsReader, groupAdd: readonly string[] = []): ResolvedUser {
  const sep = userSpec.indexOf(':');
  const userArg = sep < 0 ? userSpec : userSpec.slice(0, sep);
  // runc ignores anything after a second colon.
  const groupArg = sep < 0 ? '' : (userSpec.slice(sep + 1).split(':')[0] ?? '');
  const uidArg = toInt(userArg);
  const gidArg = toInt(groupArg);

  const passwdText = readFile('/etc/passwd');
  const groupText = readFile('/etc/group');
  const users = passwdText === undefined ? [] : parsePasswd(passwdText);
  const groups = groupText === undefined ? [] : parseGroup(groupText);

  const result: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };

  const match = users.find((u) => {
    if (userArg === '') return u.uid === 0;
    if (!Number.isNaN(uidArg)) return u.uid === uidArg;
    return u.name === userArg;
  });

  if (match) {
    result.uid = match.uid;
    result.gid = match.gid;
    result.home = match.home || '/';
  } else if (userArg !== '') {
    if (Number.isNaN(uidArg)) {
      throw invalidParameter(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    result.uid = checkRange(uidArg);
  }

  if (groupArg !== '') {
    const g = groups.find((gr) => (!Number.isNaN(gidArg) ? gr.gid === gidArg : gr.name === groupArg));
    if (g) {
      result.gid = g.gid;
    } else {
      if (Number.isNaN(gidArg)) {
        throw invalidParameter(`unable to find group ${groupArg}: no matching entries in group file`);
      }
      result.gid = checkRange(gidArg);
    }
  } else if (match) {
    result.additionalGids = groups.filter((gr) => gr.members.includes(match.name)).map((gr) => gr.gid);
  }

  for (const added of groupAdd) {
    const num = toInt(added);
    const g = groups.find((gr) => gr.name === added || (!Number.isNaN(num) && gr.gid === num));
    if (g) result.additionalGids.push(g.gid);
    else if (!Number.isNaN(num)) result.additionalGids.push(checkRange(num));
    else throw invalidParameter(`Unable to find group ${added}: no matching entries in group file`);
  }
  result.additionalGids = [...new Set(result.additionalGids)];
  return result;
}
