import type { DockerSeccompProfile, DockerSyscallRule } from './seccomp-profile.js';

/**
 * containers-common's profile (Podman's default) allows namespace and mount syscalls to everyone
 * and leaves them to capability checks. Docker's profile is stricter: without CAP_SYS_ADMIN a
 * container cannot create namespaces at all, so it cannot make a user namespace and regain
 * capabilities (and mount a tmpfs, say) inside it. skiff's defaults must be at least as strict as
 * Docker's, so the syscalls Docker documents as gated are moved behind the same capabilities.
 * Only unconditional allow rules are rewritten; a profile that already gates a name is left alone.
 */
const GATES: ReadonlyArray<{ cap: string; names: readonly string[] }> = [
  {
    cap: 'CAP_SYS_ADMIN',
    names: [
      'bpf', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount', 'mount_setattr',
      'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname',
      'sethostname', 'setns', 'umount', 'umount2', 'unshare', 'pivot_root',
    ],
  },
  { cap: 'CAP_SYS_BOOT', names: ['reboot'] },
  { cap: 'CAP_SYSLOG', names: ['syslog'] },
];

/** The kernel keyring is not namespaced; Docker blocks it outright. */
const BLOCKED = ['add_key', 'keyctl', 'request_key'];

/** clone flags that create namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET). */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const EPERM = 1;
const ENOSYS = 38;

const isUnconditionalAllow = (r: DockerSyscallRule): boolean =>
  r.action === 'SCMP_ACT_ALLOW' &&
  !r.args?.length &&
  !r.includes?.caps?.length && !r.includes?.arches?.length && !r.includes?.minKernel &&
  !r.excludes?.caps?.length && !r.excludes?.arches?.length;

export function gateLikeDocker(profile: DockerSeccompProfile): DockerSeccompProfile {
  const gated = new Set<string>([...GATES.flatMap((g) => g.names), ...BLOCKED, 'clone', 'clone3']);
  const removed = new Set<string>();
  const syscalls: DockerSyscallRule[] = (profile.syscalls ?? []).map((r) => {
    if (!isUnconditionalAllow(r)) return r;
    const names = r.names?.length ? r.names : r.name ? [r.name] : [];
    const keep = names.filter((n) => {
      if (!gated.has(n)) return true;
      removed.add(n);
      return false;
    });
    if (keep.length === names.length) return r;
    const { name: _name, ...rest } = r;
    return { ...rest, names: keep };
  });

  for (const g of GATES) {
    const names = g.names.filter((n) => removed.has(n));
    if (names.length === 0) continue;
    syscalls.push({ names, action: 'SCMP_ACT_ALLOW', includes: { caps: [g.cap] } });
    syscalls.push({ names, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, excludes: { caps: [g.cap] } });
  }
  if (removed.has('clone')) {
    syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } });
    // s390 passes the flags as the second argument; this rule is for every other architecture.
    syscalls.push({
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
    });
    syscalls.push({
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      includes: { arches: ['s390', 's390x'] },
      excludes: { caps: ['CAP_SYS_ADMIN'] },
    });
  }
  if (removed.has('clone3')) {
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } });
    // clone3's flags sit behind a pointer seccomp cannot read: ENOSYS makes libc fall back to clone.
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } });
  }
  const blocked = BLOCKED.filter((n) => removed.has(n));
  if (blocked.length) syscalls.push({ names: blocked, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
  return { ...profile, syscalls };
}
