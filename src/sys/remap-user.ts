import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import {
  allSubIdRanges,
  DEFAULT_REMAP_USER,
  freeSubIdStart,
  idMapFromSubIds,
  parseRemapSpec,
  parseSubIdFile,
  rootPair,
  type IdMap,
  type IdRange,
} from '../container/id-mapping.js';

/**
 * The host side of user-namespace remapping: /etc/passwd, /etc/group, /etc/subuid and
 * /etc/subgid lookups, creating the default remap user, checking that the data root is
 * reachable by the remapped root. Runs once at daemon start (and at the first --userns=auto).
 */
export interface IdFiles {
  passwd: string;
  group: string;
  subuid: string;
  subgid: string;
}

export const hostIdFiles: IdFiles = { passwd: '/etc/passwd', group: '/etc/group', subuid: '/etc/subuid', subgid: '/etc/subgid' };

const readOr = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** `name:x:id:…` line lookup by name or by id; returns [name, id, primary gid (passwd only)]. */
function lookup(text: string, key: string): [string, number, number] | undefined {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const [name, , id, gid] = f;
    if (name === undefined || id === undefined || !/^\d+$/.test(id)) continue;
    if (name === key || id === key) return [name, Number(id), Number(gid ?? NaN)];
  }
  return undefined;
}

/**
 * Gives `name` subordinate ids when it has none: one range of `length` above every range already
 * handed out (what `usermod --add-subuids` would do, without depending on its version).
 */
export function ensureSubIds(name: string, length: number, files: IdFiles = hostIdFiles): void {
  for (const file of [files.subuid, files.subgid]) {
    const text = readOr(file);
    if (parseSubIdFile(text, [name]).length > 0) continue;
    const start = freeSubIdStart(allSubIdRanges(text), length);
    appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${name}:${start}:${length}\n`, { mode: 0o644 });
  }
}

/**
 * `--userns-remap` → the daemon's id mapping. `default` creates the `skiffremap` user (and its
 * 65536 subordinate ids) when missing, as dockerd does for `dockremap`; a named user or uid must
 * exist and own ranges in /etc/subuid and /etc/subgid.
 */
export function resolveRemap(value: string, files: IdFiles = hostIdFiles, addUser = addSystemUser): IdMap {
  const spec = parseRemapSpec(value);
  let user = lookup(readOr(files.passwd), spec.user);
  if (!user && spec.user === DEFAULT_REMAP_USER) {
    addUser(DEFAULT_REMAP_USER);
    user = lookup(readOr(files.passwd), spec.user);
  }
  if (!user) throw invalidParameter(`cannot find the user "${spec.user}" for --userns-remap`);
  const [userName, uid, primaryGid] = user;
  const group = lookup(readOr(files.group), spec.group ?? (spec.user === DEFAULT_REMAP_USER ? userName : String(primaryGid)));
  if (!group) throw invalidParameter(`cannot find the group "${spec.group ?? primaryGid}" for --userns-remap`);
  if (spec.user === DEFAULT_REMAP_USER) ensureSubIds(userName, 65536, files);
  return idMapFromSubIds({ userName, uid, groupName: group[0], gid: group[1] }, readOr(files.subuid), readOr(files.subgid));
}

/** The ranges a subid owner (e.g. the --userns=auto pool's) holds, creating them when absent. */
export function ensurePool(owner: string, length: number, files: IdFiles = hostIdFiles): { uids: IdRange[]; gids: IdRange[] } {
  ensureSubIds(owner, length, files);
  return { uids: parseSubIdFile(readOr(files.subuid), [owner]), gids: parseSubIdFile(readOr(files.subgid), [owner]) };
}

function addSystemUser(name: string): void {
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', name], { stdio: 'ignore' });
}

/**
 * dockerd refuses to start when a directory above its data root would stop the remapped root
 * from reaching the containers' files (bind mounts are made as that user); so does skiffd.
 */
export function checkRemappedRootAccess(dataRoot: string, map: IdMap): void {
  const { uid, gid } = rootPair(map);
  for (let dir = dataRoot; ; dir = dirname(dir)) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st) {
      const ok = st.uid === uid ? (st.mode & 0o100) !== 0 : st.gid === gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
      if (!ok) {
        throw invalidParameter(
          `a subdirectory in your graphroot path (${dataRoot}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`,
        );
      }
    }
    if (dir === dirname(dir)) return;
  }
}
