/**
 * Where each cgroup controller's hierarchy is mounted, read from /proc/self/mountinfo.
 * A host with any v1 controller mounted is treated as v1 (also "hybrid" hosts that add an
 * empty cgroup2 tree at /sys/fs/cgroup/unified, as runc does); otherwise the cgroup2 mount is used.
 */
export type CgroupLayout =
  | { version: 1; /** controller (cpu, cpuacct, memory, pids, blkio, …) → mount point */ mounts: ReadonlyMap<string, string> }
  | { version: 2; root: string };

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseCgroupLayout(mountinfo: string): CgroupLayout {
  const v1 = new Map<string, string>();
  let v2Root: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = unescapeOctal(left[4] ?? '');
    if (fstype === 'cgroup2') {
      // The one at /sys/fs/cgroup wins over a hybrid host's side tree.
      if (v2Root === undefined || mountPoint === '/sys/fs/cgroup') v2Root = mountPoint;
    } else if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) {
        if (opt === 'rw' || opt === 'ro' || opt.includes('=')) continue;
        if (!v1.has(opt)) v1.set(opt, mountPoint);
      }
    }
  }
  if (v1.size > 0) return { version: 1, mounts: v1 };
  return { version: 2, root: v2Root ?? '/sys/fs/cgroup' };
}

/** The directory of `cgroupsPath` (e.g. /skiff/<id>) in the hierarchy holding `controller` (v1) or in the one tree (v2). */
export function cgroupDir(layout: CgroupLayout, controller: string, cgroupsPath: string): string | undefined {
  const rel = cgroupsPath.startsWith('/') ? cgroupsPath : `/${cgroupsPath}`;
  if (layout.version === 2) return layout.root + rel;
  const mount = layout.mounts.get(controller);
  return mount === undefined ? undefined : mount + rel;
}
