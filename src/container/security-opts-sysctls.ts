import { invalidParameter } from '../base/engine-error.js';

/** IPC-namespaced sysctls dockerd accepts by name (besides the fs.mqueue.* prefix). */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/**
 * --sysctl takes only sysctls the kernel keeps per namespace (IPC, network, UTS), and only when
 * the container has that namespace of its own: anything else would change the host for everyone.
 * Messages follow the docker CLI's ("sysctl '%s' is not allowed") and dockerd's host-namespace ones.
 */
export function validateSysctls(
  sysctls: Record<string, string>,
  ns: { networkMode: string; ipcMode: string; utsMode: string },
): void {
  for (const [key, value] of Object.entries(sysctls)) {
    if (typeof value !== 'string') throw invalidParameter(`sysctl '${key}' must have a string value`);
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      if (ns.ipcMode === 'host') throw invalidParameter(`sysctl '${key}' is not allowed in host IPC namespace`);
      continue;
    }
    if (key.startsWith('net.')) {
      if (ns.networkMode === 'host') throw invalidParameter(`sysctl '${key}' not allowed in host network namespace`);
      continue;
    }
    if (key === 'kernel.domainname' || key === 'kernel.hostname') {
      if (ns.utsMode === 'host') throw invalidParameter(`sysctl '${key}' is not allowed in host UTS namespace`);
      continue;
    }
    throw invalidParameter(`sysctl '${key}' is not allowed`);
  }
}
