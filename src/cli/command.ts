import type { Readable, Writable } from 'node:stream';
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
