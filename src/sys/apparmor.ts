import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { systemError } from '../base/engine-error.js';
import { findExecutable } from './find-executable.js';

/** The profile skiff loads where AppArmor is on, like dockerd's docker-default. */
export const DEFAULT_APPARMOR_PROFILE = 'skiff-default';

/** AppArmor is usable when the module is loaded and enabled (Debian kernels: on; many VMs: absent). */
export function appArmorEnabled(readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): boolean {
  try {
    return readFile('/sys/module/apparmor/parameters/enabled').trim() === 'Y';
  } catch {
    return false;
  }
}

/**
 * dockerd's docker-default in spirit: everything a container normally does, but no mounts, no
 * writes to the kernel's knobs under /proc and /sys, no ptrace of processes outside the profile.
 */
export function defaultAppArmorProfileText(name: string = DEFAULT_APPARMOR_PROFILE): string {
  return `#include <tunables/global>

profile ${name} flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>

  network,
  capability,
  file,
  umount,
  signal (receive) peer=unconfined,
  signal (send,receive) peer=${name},

  deny @{PROC}/* w,
  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,
  deny @{PROC}/sys/[^k]** w,
  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,
  deny @{PROC}/sysrq-trigger rwklx,
  deny @{PROC}/kcore rwklx,

  deny mount,

  deny /sys/[^f]*/** wklx,
  deny /sys/f[^s]*/** wklx,
  deny /sys/fs/[^c]*/** wklx,
  deny /sys/fs/c[^g]*/** wklx,
  deny /sys/fs/cg[^r]*/** wklx,
  deny /sys/firmware/** rwklx,
  deny /sys/kernel/security/** rwklx,

  ptrace (trace,read,tracedby,readby) peer=${name},
}
`;
}

/** Loads the default profile once per daemon when the kernel does not have it yet. */
export function ensureAppArmorProfile(name: string = DEFAULT_APPARMOR_PROFILE): void {
  let loaded = '';
  try {
    loaded = readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8');
  } catch {
    /* securityfs not mounted: try loading anyway */
  }
  if (loaded.split('\n').some((l) => l.startsWith(`${name} `))) return;
  const parser = findExecutable('apparmor_parser');
  if (!parser) throw systemError(`AppArmor is enabled but apparmor_parser is missing: cannot load the ${name} profile (apt-get install apparmor)`);
  try {
    execFileSync(parser, ['-Kr'], { input: defaultAppArmorProfileText(name), stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (err) {
    throw systemError(`loading AppArmor profile ${name} failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`, err);
  }
}
