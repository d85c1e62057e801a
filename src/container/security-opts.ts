import { invalidParameter } from '../base/engine-error.js';
import { parseSeccompProfile } from './seccomp-profile.js';

/** Which seccomp filter a container gets: the daemon's default, none, or the client's own profile (JSON text). */
export type SeccompChoice = { kind: 'default' } | { kind: 'unconfined' } | { kind: 'custom'; json: string };

export interface SecurityOptions {
  seccomp: SeccompChoice;
  noNewPrivileges: boolean;
  /** AppArmor profile name ("unconfined" included); absent means the daemon's default. */
  apparmor?: string;
}

/**
 * HostConfig.SecurityOpt as dockerd reads it. The docker CLI has already replaced
 * `seccomp=<file>` with `seccomp=<the file's JSON>` and turned `systempaths=unconfined` into
 * empty MaskedPaths/ReadonlyPaths, so neither reaches this as a path.
 */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { seccomp: { kind: 'default' }, noNewPrivileges: false };
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue; // SELinux label disabling: there is no SELinux labelling here
    // "key:value" is dockerd's deprecated spelling; it is still accepted.
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    const at = sep ? opt.indexOf(sep) : -1;
    if (at < 0) throw invalidParameter(`invalid --security-opt 1: "${opt}"`);
    const key = opt.slice(0, at);
    const value = opt.slice(at + 1);
    switch (key) {
      case 'label':
        continue; // SELinux: accepted and without effect, as dockerd on a host without SELinux
      case 'apparmor':
        out.apparmor = value;
        continue;
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = { kind: 'unconfined' };
        else if (value === 'builtin' || value === '') out.seccomp = { kind: 'default' };
        else {
          parseSeccompProfile(value); // fail at create, not at start
          out.seccomp = { kind: 'custom', json: value };
        }
        continue;
      case 'no-new-privileges':
        if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value)) {
          throw invalidParameter(`invalid --security-opt 2: "${opt}"`);
        }
        out.noNewPrivileges = ['true', '1', 't', 'TRUE', 'True'].includes(value);
        continue;
      default:
        throw invalidParameter(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return out;
}
