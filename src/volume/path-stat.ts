import type { Stats } from 'node:fs';

/**
 * Docker's `X-Docker-Container-Path-Stat` header: base64 of JSON {name,size,mode,mtime,linkTarget}
 * where mode is Go's os.FileMode (type bits at the top of a uint32, permission bits at the bottom),
 * not the Unix st_mode. The CLI decides with it whether a path is a directory or a symlink.
 */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** st_mode → Go FileMode (as a non-negative number: bit 31 would make JS's `|` negative). */
export function goFileMode(mode: number): number {
  const type = mode & 0o170000;
  let out = mode & 0o777;
  if (type === 0o040000) out += GO_MODE.dir;
  else if (type === 0o120000) out += GO_MODE.symlink;
  else if (type === 0o060000) out += GO_MODE.device;
  else if (type === 0o020000) out += GO_MODE.device + GO_MODE.charDevice;
  else if (type === 0o010000) out += GO_MODE.namedPipe;
  else if (type === 0o140000) out += GO_MODE.socket;
  if (mode & 0o4000) out += GO_MODE.setuid;
  if (mode & 0o2000) out += GO_MODE.setgid;
  if (mode & 0o1000) out += GO_MODE.sticky;
  return out;
}

export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export function pathStat(name: string, st: Pick<Stats, 'mode' | 'size' | 'mtime'>, linkTarget = ''): PathStat {
  return { name, size: st.size, mode: goFileMode(st.mode), mtime: st.mtime.toISOString(), linkTarget };
}

export function encodePathStat(s: PathStat): string {
  return Buffer.from(JSON.stringify(s)).toString('base64');
}
