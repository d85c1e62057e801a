/**
 * File capabilities (`security.capability`) of a layer shifted for a user namespace.
 *
 * The kernel honours a v1/v2 capability xattr only in a namespace where host uid 0 is root; in a
 * remapped container (root = host uid 100000) such a binary (ping, …) would lose its
 * capabilities. A v3 xattr carries the host uid of the root it is meant for, so a shifted copy
 * gets v3 with the mapped root's host uid: what the kernel itself writes when root inside a user
 * namespace sets a capability.
 */
const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_FLAGS_MASK = 0x00ffffff;
const REV1 = 0x01000000;
const REV2 = 0x02000000;
const REV3 = 0x03000000;

/**
 * The xattr value for the shifted copy: `toHostRoot` maps the xattr's root (0 for v1/v2, the
 * stored rootid for v3) to a host uid. Values it cannot parse are returned unchanged.
 */
export function shiftCapabilityXattr(value: Buffer, toHostRoot: (containerRoot: number) => number | undefined): Buffer {
  if (value.length < 4) return value;
  const magic = value.readUInt32LE(0);
  const rev = (magic & VFS_CAP_REVISION_MASK) >>> 0;
  const flags = magic & VFS_CAP_FLAGS_MASK;
  let permLo: number;
  let inhLo: number;
  let permHi = 0;
  let inhHi = 0;
  let root = 0;
  if (rev === REV1 && value.length === 12) {
    permLo = value.readUInt32LE(4);
    inhLo = value.readUInt32LE(8);
  } else if ((rev === REV2 && value.length === 20) || (rev === REV3 && value.length === 24)) {
    permLo = value.readUInt32LE(4);
    inhLo = value.readUInt32LE(8);
    permHi = value.readUInt32LE(12);
    inhHi = value.readUInt32LE(16);
    if (rev === REV3) root = value.readUInt32LE(20);
  } else {
    return value;
  }
  const hostRoot = toHostRoot(root);
  if (hostRoot === undefined) return value;
  const out = Buffer.alloc(24);
  out.writeUInt32LE((REV3 | flags) >>> 0, 0);
  out.writeUInt32LE(permLo, 4);
  out.writeUInt32LE(inhLo, 8);
  out.writeUInt32LE(permHi, 12);
  out.writeUInt32LE(inhHi, 16);
  out.writeUInt32LE(hostRoot, 20);
  return out;
}

/**
 * The reverse, for a layer made from a remapped container (commit, build): a v3 xattr whose
 * rootid is the container's root on the host becomes the v2 one an image carries, so the layer
 * means the same in any namespace. Anything else is returned unchanged.
 */
export function unshiftCapabilityXattr(value: Buffer, isContainerRoot: (hostRoot: number) => boolean): Buffer {
  if (value.length !== 24) return value;
  const magic = value.readUInt32LE(0);
  if (((magic & VFS_CAP_REVISION_MASK) >>> 0) !== REV3 || !isContainerRoot(value.readUInt32LE(20))) return value;
  const out = Buffer.alloc(20);
  value.copy(out, 0, 0, 20);
  out.writeUInt32LE((REV2 | (magic & VFS_CAP_FLAGS_MASK)) >>> 0, 0);
  return out;
}
