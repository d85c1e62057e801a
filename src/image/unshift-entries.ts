import { toContainerId, type IdMap } from '../container/id-mapping.js';
import { unshiftCapabilityXattr } from '../storage/file-caps.js';
import type { TarEntry } from '../storage/layer-diff-tar.js';

/** The kernel's overflow id: what an unmapped owner shows as inside a user namespace. */
const OVERFLOW_ID = 65534;

/**
 * A remapped container's upper dir holds host ids (root is 100000…); a layer made from it
 * (commit, a build step) must carry the ids the container saw, or the image would be owned by
 * nobody anywhere else. Owners outside the mapping become the overflow id, as the container saw
 * them; file capabilities written for the container's root become plain v2 ones.
 */
export function unshiftEntries(entries: readonly TarEntry[], map: IdMap): TarEntry[] {
  const rootHostUid = map.uidMappings.find((m) => m.containerID === 0)?.hostID;
  return entries.map((e) => {
    const uid = toContainerId(map.uidMappings, e.uid) ?? OVERFLOW_ID;
    const gid = toContainerId(map.gidMappings, e.gid) ?? OVERFLOW_ID;
    const cap = e.xattrs?.get('security.capability');
    if (!cap || rootHostUid === undefined) return { ...e, uid, gid };
    const xattrs = new Map(e.xattrs);
    xattrs.set('security.capability', unshiftCapabilityXattr(cap, (root) => root === rootHostUid));
    return { ...e, uid, gid, xattrs };
  });
}
