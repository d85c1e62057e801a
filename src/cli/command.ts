import type { Readable, Writable } from 'node:stream';
import { ApiError } from '../client/api-error.js';
import type { EngineClient } from '../client/engine-client.js';
import type { FlagSpec, Flags } from './flags.js';

/** What a command gets: the client (connected lazily) and the process's stdio. */
export interface CommandContext {
  client(): EngineClient;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandDef {
  /** Full command path as typed, e.g. "container prune". */
  name: string;
  /** The usage line after "skiff ", e.g. "run [OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string;
  flags: FlagSpec[];
  /** false for run/create/exec: flags stop at the first positional. */
  interspersed?: boolean;
  args?: { min?: number; max?: number };
  /** Errors of run-like commands exit 125 and are prefixed with "skiff: ". */
  runLike?: boolean;
  run(ctx: CommandContext, flags: Flags): Promise<number>;
}

/** Ends a command with an exit code and, optionally, a message for stderr. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** How the docker CLI words a failed request: the daemon's message behind its prefix. */
export function daemonErrorText(e: unknown): string {
  return e instanceof ApiError ? `Error response from daemon: ${e.message}` : (e as Error).message;
}

/**
 * The shape of docker's rm/stop/pause/volume rm/network rm: one request per named object, each
 * name (or the non-empty text `act` returns) printed on success in argument order, daemon errors
 * collected for stderr, exit 1 if any failed. `parallel` sends the requests at once, as docker's
 * stop/kill/rm do; otherwise they go one after another.
 */
export async function forEachRef(
  ctx: CommandContext,
  refs: readonly string[],
  act: (ref: string) => Promise<string | void>,
  opts: { parallel?: boolean } = {},
): Promise<number> {
  const errors: string[] = [];
  const report = (ref: string, value: string | void) => {
    const out = value ?? ref;
    if (out !== '') ctx.out(`${out}\n`);
  };
  if (opts.parallel) {
    const results = await Promise.allSettled(refs.map(act));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') report(refs[i] ?? '', r.value);
      else errors.push(daemonErrorText(r.reason));
    });
  } else {
    for (const ref of refs) {
      try {
        report(ref, await act(ref));
      } catch (e) {
        errors.push(daemonErrorText(e));
      }
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}
