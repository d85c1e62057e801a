import { join } from 'node:path';
import type { Logger } from '../base/log.js';
import { idShiftFor } from '../container/id-mapping.js';
import type { ContainerRecord, ContainerSpec } from '../container/container-record.js';
import { AUTO_BLOCK_SIZE } from '../container/userns-plan.js';
import { UsernsSupport } from '../container/userns-support.js';
import { ShiftedLayers } from '../storage/shifted-layers.js';
import { checkRemappedRootAccess, ensurePool, resolveRemap } from '../sys/remap-user.js';
import { chownIfFresh, chownTop, copyShiftedTree } from '../sys/shift-tree.js';
import { createNetnsDriver } from '../sys/netns.js';

/** The subid owner --userns=auto allocates from (Podman uses `containers` the same way). */
export const AUTO_POOL_OWNER = 'skiffauto';
/** Room for 1024 concurrent --userns=auto containers of 65536 ids each. */
const AUTO_POOL_SIZE = AUTO_BLOCK_SIZE * 1024;

export interface UsernsWiring {
  dataRoot: string;
  execRoot: string;
  /** --userns-remap as given (validated by parseDaemonOptions). */
  usernsRemap?: string;
  containers(): ContainerRecord[];
  saveSpec(id: string, spec: ContainerSpec): void;
  volumeDir(name: string): string;
  log: Logger;
}

/**
 * Composition of user-namespace support: resolves --userns-remap (creating `skiffremap` for
 * `default`), refuses a data root the remapped root cannot reach (as dockerd does), and wires
 * the concrete chown/copy side effects into UsernsSupport.
 */
export function createUsernsSupport(w: UsernsWiring): UsernsSupport {
  const remap = w.usernsRemap ? resolveRemap(w.usernsRemap) : undefined;
  if (remap) {
    checkRemappedRootAccess(w.dataRoot, remap);
    w.log.info('user namespace remapping enabled', { remap: w.usernsRemap, uidMappings: remap.uidMappings, gidMappings: remap.gidMappings });
  }
  let pool: ReturnType<typeof ensurePool> | undefined;
  const nsFiles = createNetnsDriver(); // user namespace files are kept like netns files
  return new UsernsSupport({
    remap,
    autoPool: () => (pool ??= ensurePool(AUTO_POOL_OWNER, AUTO_POOL_SIZE)),
    containers: w.containers,
    saveSpec: w.saveSpec,
    layers: new ShiftedLayers(join(w.dataRoot, 'remap')),
    copyShifted: (src, dst, map) => copyShiftedTree(src, dst, idShiftFor(map)),
    chownTop,
    chownIfFresh,
    volumeDir: w.volumeDir,
    usernsDir: join(w.execRoot, 'userns'),
    removeNsFile: (p) => nsFiles.remove(p),
    listNsFiles: (d) => nsFiles.list(d),
    log: w.log,
  });
}
