import { invalidParameter } from '../base/engine-error.js';

/** Every capability Linux 6.x defines, indexed by its bit number. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default set, in Docker's order (it shows up in that order in `docker inspect`-adjacent tooling). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const KNOWN = new Set(ALL_CAPABILITIES);

/** "net_admin", "CAP_NET_ADMIN", "all" → "CAP_NET_ADMIN" / "ALL"; unknown names fail with Docker's wording. */
export function normalizeCapability(name: string): string {
  let c = name.toUpperCase();
  if (c === 'ALL') return c;
  if (!c.startsWith('CAP_')) c = `CAP_${c}`;
  if (!KNOWN.has(c)) throw invalidParameter(`unknown capability: "${c}"`);
  return c;
}

/**
 * Docker's cap-add/cap-drop rules. `available` is what "ALL" means: the host's bounding set
 * (from capsFromMask of /proc/self/status CapBnd), since asking runc for a capability the host
 * lacks fails the start. Adding "ALL" wins over dropping it; dropping "ALL" keeps only the adds.
 */
export function applyCapChanges(
  defaults: readonly string[],
  add: readonly string[] | null | undefined,
  drop: readonly string[] | null | undefined,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const adds = (add ?? []).map(normalizeCapability);
  const drops = (drop ?? []).map(normalizeCapability);
  let result: string[];
  if (adds.includes('ALL')) {
    result = available.filter((c) => !drops.includes(c));
  } else if (drops.includes('ALL')) {
    result = [...adds];
  } else {
    result = defaults.filter((c) => !drops.includes(c)).concat(adds);
  }
  return [...new Set(result)];
}

/** Capabilities a privileged container gets: every one the host's bounding set holds. */
export function privilegedCapabilities(hostBounding: readonly string[]): string[] {
  return ALL_CAPABILITIES.filter((c) => hostBounding.includes(c));
}

/** Names of the bits set in a /proc/<pid>/status capability mask such as "000001fffeffffff". Unknown bits are skipped. */
export function capsFromMask(hexMask: string): string[] {
  const trimmed = hexMask.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]+$/.test(trimmed)) throw invalidParameter(`invalid capability mask: ${hexMask}`);
  const mask = BigInt(`0x${trimmed}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The 16-hex-digit mask /proc/<pid>/status would print for these capabilities. */
export function capsToMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = ALL_CAPABILITIES.indexOf(normalizeCapability(c));
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}
