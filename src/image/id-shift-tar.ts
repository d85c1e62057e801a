import { invalidParameter } from '../base/engine-error.js';
import { toHostId, type IdMap } from '../container/id-mapping.js';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import { unshiftEntries } from './unshift-entries.js';

/**
 * Tar owners across a user namespace boundary, for `docker cp` and `docker export` of a
 * remapped container. Its files are owned by host ids on disk (root is 100000…), but archives
 * speak the container's ids both ways, as dockerd's do: ids going in are shifted into the
 * mapping, ids coming out are shifted back.
 */

/** How an extracted entry's owner (container ids) becomes the owner written on disk. */
export type OwnerShift = (uid: number, gid: number) => { uid: number; gid: number };

/**
 * The owner shift for extracting into a container with `map` (identity without one). An id the
 * mapping does not cover cannot be written at all: dockerd refuses it with this wording rather
 * than leave a file the container sees as nobody.
 */
export function hostOwnerShift(map: IdMap | undefined): OwnerShift {
  if (!map) return (uid, gid) => ({ uid, gid });
  return (uid, gid) => {
    const hu = toHostId(map.uidMappings, uid);
    if (hu === undefined) throw invalidParameter(`Container ID ${uid} cannot be mapped to a host ID`);
    const hg = toHostId(map.gidMappings, gid);
    if (hg === undefined) throw invalidParameter(`Container ID ${gid} cannot be mapped to a host ID`);
    return { uid: hu, gid: hg };
  };
}

/**
 * Entries read from a remapped container's files, with the ids the container sees (unmapped
 * host ids as the overflow id 65534, v3 capabilities of its root as v2). Streams: an export
 * never holds the tree's entries in memory.
 */
export async function* unshiftEntryStream(entries: AsyncIterable<TarEntry>, map: IdMap | undefined): AsyncGenerator<TarEntry> {
  for await (const e of entries) {
    if (!map) {
      yield e;
      continue;
    }
    const [out] = unshiftEntries([e], map);
    if (out) yield out;
  }
}
