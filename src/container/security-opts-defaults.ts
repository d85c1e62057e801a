import { lstatSync, readdirSync, statSync } from 'node:fs';
import { appArmorEnabled, DEFAULT_APPARMOR_PROFILE, ensureAppArmorProfile } from '../sys/apparmor.js';
import { hostSeccompFacts, readSeccompProfileText } from '../sys/seccomp-default.js';
import { createSeccompResolver } from './seccomp-resolver.js';
import type { IsolationDeps } from './security-opts-plan.js';

/**
 * The host-backed isolation dependencies: the default seccomp profile from disk (or the daemon's
 * --seccomp-profile), node:fs for devices, AppArmor where the kernel has it on.
 */
export function hostIsolationDeps(opts: { seccompProfilePath?: string } = {}): IsolationDeps {
  const facts = hostSeccompFacts();
  let apparmor: string | undefined | null = null; // null: not checked yet
  return {
    seccomp: createSeccompResolver({ readDefault: () => readSeccompProfileText(opts.seccompProfilePath), ...facts }),
    devices: { stat: statSync, lstat: lstatSync, readdir: (p) => readdirSync(p) },
    apparmorDefault() {
      if (apparmor === null) {
        apparmor = appArmorEnabled() ? DEFAULT_APPARMOR_PROFILE : undefined;
        if (apparmor) ensureAppArmorProfile(apparmor);
      }
      return apparmor;
    },
  };
}
