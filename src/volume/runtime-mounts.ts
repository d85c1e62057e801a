import type { VolumeMount } from '../container/runtime-spec.js';
import type { MountSpec } from './mount-spec.js';

export interface RuntimeMountOptions {
  volumeDir(name: string): string;
  /**
   * The kernel can make a bind read-only recursively (mount_setattr, Linux 5.12+): submounts of a
   * read-only bind are then read-only too, as Docker 25+ does by default.
   */
  recursiveReadOnly: boolean;
}

/** The OCI mounts for a container's mounts. Pure. */
export function runtimeMounts(mounts: readonly MountSpec[], opts: RuntimeMountOptions): VolumeMount[] {
  return mounts.map((m) => {
    if (m.type === 'tmpfs') {
      const options = ['nosuid', 'nodev', 'noexec'];
      for (const o of m.tmpfsOptions ?? []) {
        const inverse = o === 'exec' ? 'noexec' : o === 'suid' ? 'nosuid' : o === 'dev' ? 'nodev' : undefined;
        if (inverse) options.splice(options.indexOf(inverse), 1);
        options.push(o);
      }
      if (m.tmpfsSize) options.push(`size=${m.tmpfsSize}`);
      options.push(`mode=${(m.tmpfsMode ?? 0o1777).toString(8)}`);
      if (m.readOnly) options.push('ro');
      return { destination: m.destination, source: 'tmpfs', type: 'tmpfs', options };
    }
    const source = m.type === 'volume' ? opts.volumeDir(m.source) : m.source;
    const options = ['rbind', m.readOnly ? 'ro' : 'rw'];
    if (m.readOnly && opts.recursiveReadOnly) options.push('rro');
    options.push(m.type === 'bind' ? m.propagation || 'rprivate' : 'rprivate');
    return { destination: m.destination, source, type: 'bind', options };
  });
}

/** Linux 5.12 or later (mount_setattr with AT_RECURSIVE). */
export function kernelHasRecursiveReadOnly(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 5 || (major === 5 && minor >= 12);
}
