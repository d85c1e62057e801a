import { join } from 'node:path';

/** Where one container's files live (see docs/design-notes.md). */
export interface ContainerPaths {
  dir: string;
  upper: string;
  work: string;
  rootfs: string;
  bundleConfig: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
  log: string;
  /** The monitor's directory under the exec root: socket, pid, exit record. */
  stateDir: string;
}

export function containerPaths(dataRoot: string, execRoot: string, id: string): ContainerPaths {
  const dir = join(dataRoot, 'containers', id);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    rootfs: join(dir, 'rootfs'),
    bundleConfig: join(dir, 'config.json'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    log: join(dir, `${id}-json.log`),
    // Short: the monitor's unix socket path must stay under 108 bytes.
    stateDir: join(execRoot, 'm', id.slice(0, 16)),
  };
}
