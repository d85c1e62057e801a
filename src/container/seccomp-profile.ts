import { invalidParameter } from '../base/engine-error.js';
import type { SpecSeccomp, SpecSeccompSyscall } from './runtime-spec-types.js';

/**
 * A seccomp profile in Docker's JSON format (what `--security-opt seccomp=<file>` takes and what
 * /usr/share/containers/seccomp.json holds): rules may depend on the container's capabilities,
 * the host's architecture and kernel version, which are resolved per container at start.
 */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[] | null;
  archMap?: Array<{ architecture: string; subArchitectures?: string[] | null }> | null;
  flags?: string[] | null;
  syscalls?: DockerSyscallRule[] | null;
}

export interface DockerSyscallRule {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }> | null;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
  comment?: string;
}

export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

/** What a profile's conditions are evaluated against. */
export interface SeccompTarget {
  /** The container's bounding set (CAP_* names). */
  capabilities: readonly string[];
  /** Go's architecture words, as Docker's profiles spell them: amd64, arm64, x86, … */
  arch: string;
  /** The kernel release, e.g. "6.1.0-18-amd64"; only major.minor is compared. */
  kernelRelease: string;
}

/** Node's process.arch → the name profiles use in includes.arches. */
export function profileArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

function kernelAtLeast(release: string, min: string): boolean {
  const parse = (v: string): [number, number] => {
    const m = /^(\d+)\.(\d+)/.exec(v);
    if (!m) throw invalidParameter(`invalid kernel version in seccomp profile: ${v}`);
    return [Number(m[1]), Number(m[2])];
  };
  const [a, b] = parse(release);
  const [x, y] = parse(min);
  return a > x || (a === x && b >= y);
}

/** Docker's rule for conditional entries: every included cap present, no excluded cap present, and so on. */
function applies(rule: DockerSyscallRule, t: SeccompTarget): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.arches?.length && !inc.arches.includes(t.arch)) return false;
  if (exc.arches?.length && exc.arches.includes(t.arch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => t.capabilities.includes(c))) return false;
  if (exc.caps?.length && exc.caps.some((c) => t.capabilities.includes(c))) return false;
  if (inc.minKernel && !kernelAtLeast(t.kernelRelease, inc.minKernel)) return false;
  return true;
}

/** Parses a profile from JSON text, with Docker's wording for the errors. */
export function parseSeccompProfile(text: string): DockerSeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalidParameter(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { defaultAction?: unknown }).defaultAction !== 'string') {
    throw invalidParameter('Decoding seccomp profile failed: the profile has no defaultAction');
  }
  const profile = raw as DockerSeccompProfile;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw invalidParameter("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  for (const rule of profile.syscalls ?? []) {
    if (rule.name && rule.names?.length) {
      throw invalidParameter("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    }
  }
  return profile;
}

/** A Docker-format profile → the OCI `linux.seccomp` for one container. Pure. */
export function convertSeccompProfile(profile: DockerSeccompProfile, target: SeccompTarget): SpecSeccomp {
  const out: SpecSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;

  let architectures: string[] = [...(profile.architectures ?? [])];
  const native = SCMP_ARCH[target.arch];
  for (const a of profile.archMap ?? []) {
    // Only the host's own architecture (and its compat ABIs, e.g. x32 and i386 on x86-64) is kept.
    if (a.architecture === native) architectures.push(a.architecture, ...(a.subArchitectures ?? []));
  }
  architectures = [...new Set(architectures)];
  if (architectures.length > 0) out.architectures = architectures;
  if (profile.flags?.length) out.flags = [...profile.flags];

  const syscalls: SpecSeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!applies(rule, target)) continue;
    const names = rule.names?.length ? [...rule.names] : rule.name ? [rule.name] : [];
    if (names.length === 0) continue;
    const entry: SpecSeccompSyscall = { names, action: rule.action };
    if (rule.errnoRet !== undefined) entry.errnoRet = rule.errnoRet;
    if (rule.args?.length) {
      entry.args = rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    }
    syscalls.push(entry);
  }
  out.syscalls = syscalls;
  return out;
}
