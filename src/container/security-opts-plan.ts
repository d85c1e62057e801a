import type { HostOptions } from './container-record.js';
import { blockDeviceNumbers, hostDevices, parseDeviceCgroupRule, plannedDevices, type DeviceFs } from './resources-devices.js';
import { emptyHostResources, resourceLimits } from './resources.js';
import type { RuntimeSpecInput } from './runtime-spec.js';
import type { SeccompResolver } from './seccomp-resolver.js';
import { parseSecurityOpts } from './security-opts.js';

export interface IsolationDeps {
  seccomp: SeccompResolver;
  devices: DeviceFs;
  /** The AppArmor profile to use by default, or undefined where AppArmor is off (then none is set). */
  apparmorDefault(): string | undefined;
}

/** The parts of the runtime spec input that isolation and resource options decide. */
export type IsolationInput = Pick<
  RuntimeSpecInput,
  | 'resources'
  | 'seccomp'
  | 'noNewPrivileges'
  | 'apparmorProfile'
  | 'devices'
  | 'deviceCgroupRules'
  | 'maskedPaths'
  | 'readonlyPaths'
>;

/**
 * HostOptions + the final capability set → seccomp filter, AppArmor profile, devices and cgroup
 * limits, as dockerd decides them. `capabilities` matters because the default profile's rules
 * depend on it (CAP_SYS_ADMIN unlocks mount, unshare, …).
 */
export function planIsolation(h: HostOptions, capabilities: readonly string[], deps: IsolationDeps): IsolationInput {
  const sec = parseSecurityOpts(h.securityOpt ?? []);
  const r = h.resources ?? emptyHostResources();
  const resources = resourceLimits(
    { ...r, memory: h.memory, nanoCpus: h.nanoCpus, cpuShares: h.cpuShares, pidsLimit: h.pidsLimit },
    (path) => blockDeviceNumbers(deps.devices, path),
  );
  const mapped = plannedDevices(deps.devices, h.devices ?? []);
  const extraRules = [...mapped.rules, ...(h.deviceCgroupRules ?? []).map(parseDeviceCgroupRule)];

  let apparmorProfile: string | undefined;
  const defaultProfile = deps.apparmorDefault();
  if (defaultProfile !== undefined) {
    // dockerd: privileged containers run unconfined unless a profile is named.
    apparmorProfile = sec.apparmor ?? (h.privileged ? 'unconfined' : defaultProfile);
  }

  const out: IsolationInput = {
    resources,
    noNewPrivileges: sec.noNewPrivileges,
    devices: h.privileged ? mergeDevices(hostDevices(deps.devices), mapped.devices) : mapped.devices,
    deviceCgroupRules: extraRules,
  };
  const seccomp = deps.seccomp(sec.seccomp, capabilities, h.privileged);
  if (seccomp) out.seccomp = seccomp;
  if (apparmorProfile) out.apparmorProfile = apparmorProfile;
  if (h.maskedPaths) out.maskedPaths = [...h.maskedPaths];
  if (h.readonlyPaths) out.readonlyPaths = [...h.readonlyPaths];
  return out;
}

/** Host devices first; a --device with the same container path wins. */
function mergeDevices<T extends { path: string }>(host: T[], own: T[]): T[] {
  const taken = new Set(own.map((d) => d.path));
  return [...host.filter((d) => !taken.has(d.path)), ...own];
}
