import { existsSync } from 'node:fs';
import { invalidParameter } from '../base/engine-error.js';

/** Where Docker puts its init inside the container; `ps` shows this name as PID 1. */
export const initPathInContainer = '/sbin/docker-init';

/** Debian's tini package ships a static build, which works in any image (no libc needed). */
export const defaultInitBinaries = ['/usr/bin/tini-static', '/usr/libexec/docker/docker-init', '/usr/bin/docker-init'];

export interface InitProcess {
  /** The argv with the init in front: ["/sbin/docker-init", "--", …command]. */
  args: string[];
  /** A read-only bind mount of the host's init binary. */
  mount: { destination: string; source: string; type: string; options: string[] };
}

/** What --init changes in the runtime spec (pure: the binary's host path is given). */
export function initProcess(command: readonly string[], hostBinary: string): InitProcess {
  return {
    args: [initPathInContainer, '--', ...command],
    mount: { destination: initPathInContainer, source: hostBinary, type: 'bind', options: ['bind', 'ro'] },
  };
}

export function findInitBinary(candidates: readonly string[] = defaultInitBinaries): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw invalidParameter(`--init needs tini: none of ${candidates.join(', ')} exists (apt-get install tini)`);
  return found;
}
