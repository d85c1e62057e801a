import { invalidParameter } from '../base/engine-error.js';
import type { ContainerConfigFields } from '../image/image-config.js';

export interface CreateCommand {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
}

export interface ResolvedCommand {
  /** argv[0] of the container's process. */
  path: string;
  /** argv[1..]. */
  args: string[];
  /** The merged Config.Entrypoint the container record keeps (null when there is none). */
  entrypoint: string[] | null;
  /** The merged Config.Cmd the container record keeps (null when there is none). */
  cmd: string[] | null;
}

/**
 * Merges a create request's Entrypoint/Cmd with the image's the way dockerd does:
 * - an empty create Entrypoint (absent or []) inherits the image's Cmd when create has no Cmd,
 *   and the image's Entrypoint only when create's is absent (null/undefined), not when it is [];
 * - a non-empty create Entrypoint inherits neither;
 * - after merging, `[""]` (what `--entrypoint ""` sends) means "no entrypoint".
 */
export function resolveCommand(imageConfig: ContainerConfigFields | undefined, create: CreateCommand): ResolvedCommand {
  let entrypoint: string[] | null | undefined = create.Entrypoint;
  let cmd: string[] | null | undefined = create.Cmd;

  if (!entrypoint || entrypoint.length === 0) {
    if (!cmd || cmd.length === 0) cmd = imageConfig?.Cmd;
    if (entrypoint === null || entrypoint === undefined) entrypoint = imageConfig?.Entrypoint;
  }
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = null;

  const ep = entrypoint && entrypoint.length > 0 ? [...entrypoint] : null;
  const c = cmd && cmd.length > 0 ? [...cmd] : null;
  const argv = [...(ep ?? []), ...(c ?? [])];
  const [path, ...args] = argv;
  if (path === undefined) throw invalidParameter('No command specified');
  return { path, args, entrypoint: ep, cmd: c };
}
