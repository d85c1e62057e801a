import { gateLikeDocker } from './seccomp-admin-gate.js';
import { convertSeccompProfile, parseSeccompProfile, profileArch, type DockerSeccompProfile } from './seccomp-profile.js';
import type { SpecSeccomp } from './runtime-spec-types.js';
import type { SeccompChoice } from './security-opts.js';

export interface SeccompResolverDeps {
  /** The default profile's JSON text (read once, on first use). */
  readDefault(): string;
  nodeArch: string;
  kernelRelease: string;
}

/** Picks and converts a container's seccomp filter; `undefined` means none (unconfined, privileged). */
export type SeccompResolver = (choice: SeccompChoice, capabilities: readonly string[], privileged: boolean) => SpecSeccomp | undefined;

/**
 * The default profile is parsed and tightened once, and converted once per capability set: most
 * containers share Docker's default set, so a start usually costs a Map lookup.
 */
export function createSeccompResolver(deps: SeccompResolverDeps): SeccompResolver {
  let base: DockerSeccompProfile | undefined;
  const cache = new Map<string, SpecSeccomp>();
  const target = (caps: readonly string[]) => ({ capabilities: caps, arch: profileArch(deps.nodeArch), kernelRelease: deps.kernelRelease });
  return (choice, capabilities, privileged) => {
    // As dockerd: privileged containers and seccomp=unconfined get no filter at all.
    if (privileged || choice.kind === 'unconfined') return undefined;
    if (choice.kind === 'custom') return convertSeccompProfile(parseSeccompProfile(choice.json), target(capabilities));
    const key = [...capabilities].sort().join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    base ??= gateLikeDocker(parseSeccompProfile(deps.readDefault()));
    const spec = withoutX32(convertSeccompProfile(base, target(capabilities)));
    cache.set(key, spec);
    return spec;
  };
}

/**
 * The default filter leaves out the x32 ABI (Docker's keeps it). x32 binaries are practically
 * nonexistent in images and most kernels run with x32 off, while the filter for it triples the time
 * runc spends compiling the profile (~100 ms on every start here); without it x32 calls are simply
 * refused. i386 stays: 32-bit x86 programs do occur in images.
 */
function withoutX32(spec: SpecSeccomp): SpecSeccomp {
  if (!spec.architectures?.includes('SCMP_ARCH_X32')) return spec;
  return { ...spec, architectures: spec.architectures.filter((a) => a !== 'SCMP_ARCH_X32') };
}
