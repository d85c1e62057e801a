/**
 * What creating a file, directory or symlink already gets right, so an unpack can skip the
 * chown/chmod that would only repeat it (each is a thread-pool round trip, ~250 files a layer):
 * a root process makes entries owned by 0:0 (unless the parent directory is setgid, whose group
 * they then take), and open/mkdir give the mode asked for minus the umask.
 */
export interface CreationDefaults {
  /** Effective uid and gid are both 0. */
  rootOwned: boolean;
  umask: number;
}

export function processCreationDefaults(): CreationDefaults {
  return {
    rootOwned: process.geteuid?.() === 0 && process.getegid?.() === 0,
    // Read without changing it (the one-argument form would race other code that creates files).
    umask: process.umask(),
  };
}

/** Whether an entry this process just created already has owner uid:gid. */
export function ownerIsDefault(d: CreationDefaults, uid: number, gid: number, parentSetgid: boolean): boolean {
  return d.rootOwned && uid === 0 && gid === 0 && !parentSetgid;
}

/** The permission bits to create with: special bits need a chmod (and chown would clear them). */
export const creationMode = (mode: number): number => mode & 0o777;

/** Whether creating with creationMode(mode) already leaves exactly `mode`. */
export function modeIsDefault(d: CreationDefaults, mode: number): boolean {
  return (mode & 0o7000) === 0 && (mode & d.umask) === 0;
}
