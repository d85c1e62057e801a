import { invalidParameter } from '../base/engine-error.js';
import type { HostOptions } from './container-record.js';
import type { IdMap, IdRange } from './id-mapping.js';
import type { SpecIdMapping } from './runtime-spec-types.js';

/** Ids one --userns=auto container gets, as Podman's default: uids and gids 0–65535. */
export const AUTO_BLOCK_SIZE = 65536;

/** Which user namespace a container runs in: none (the host's), the daemon's remap, or its own. */
export type UsernsChoice = { kind: 'host' } | { kind: 'remap' } | { kind: 'auto' };

type UsernsHost = Pick<HostOptions, 'usernsMode' | 'privileged' | 'networkMode' | 'pidMode'>;

/**
 * The container's user namespace, refusing what cannot work in one with dockerd's wording
 * (dockerd checks the same at create): privileged, and the host's network or PID namespace,
 * need `--userns=host`.
 */
export function usernsChoice(host: UsernsHost, remapOn: boolean): UsernsChoice {
  const mode = host.usernsMode ?? '';
  if (mode === 'host') return { kind: 'host' };
  if (mode !== '' && mode !== 'auto') throw invalidParameter(`invalid USER mode: ${mode}`);
  if (mode === '' && !remapOn) return { kind: 'host' };
  if (host.privileged) {
    throw invalidParameter(
      'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode',
    );
  }
  if (host.networkMode === 'host') throw invalidParameter("cannot share the host's network namespace when user namespaces are enabled");
  if (host.pidMode === 'host') throw invalidParameter('cannot share the host PID namespace when user namespaces are enabled');
  return mode === 'auto' ? { kind: 'auto' } : { kind: 'remap' };
}

const overlaps = (a: IdRange, b: IdRange) => a.start < b.start + b.length && b.start < a.start + a.length;

/**
 * The lowest block of `size` ids inside `pool` that overlaps none of `taken` (host ranges other
 * containers hold). Blocks are aligned to `size` from each pool range's start, so freed ones
 * are reused exactly. Throws when the pool is exhausted.
 */
export function allocateBlock(pool: readonly IdRange[], taken: readonly IdRange[], size = AUTO_BLOCK_SIZE): number {
  for (const r of [...pool].sort((a, b) => a.start - b.start)) {
    for (let start = r.start; start + size <= r.start + r.length; start += size) {
      const block = { start, length: size };
      if (!taken.some((t) => overlaps(t, block))) return start;
    }
  }
  throw invalidParameter('no free id range left for --userns=auto: every block of the subordinate ids is in use');
}

/** Host ranges a mapping covers (for allocating around it). */
export function hostRanges(mappings: readonly SpecIdMapping[]): IdRange[] {
  return mappings.map((m) => ({ start: m.hostID, length: m.size }));
}

/** An auto container's mapping: container 0.. on one block of uids and one of gids. */
export function autoIdMap(uidStart: number, gidStart: number, size = AUTO_BLOCK_SIZE): IdMap {
  return {
    uidMappings: [{ containerID: 0, hostID: uidStart, size }],
    gidMappings: [{ containerID: 0, hostID: gidStart, size }],
  };
}
