import { ApiError, ConnectError } from '../client/api-error.js';
import { JsonStreamError } from '../client/json-stream.js';
import { StreamSystemError } from '../client/demux-stream.js';
import { StatusError, type CommandContext, type CommandDef } from './command.js';
import { FlagError, Flags, parseFlags } from './flags.js';
import { isTemplateError } from './go-template.js';

/** Parses a command's flags, checks its argument count and turns errors into docker's output and exit codes. */
export async function runCommand(def: CommandDef, argv: string[], ctx: CommandContext): Promise<number> {
  if (argv.includes('--help') && (def.interspersed !== false || argv.indexOf('--help') < firstPositional(argv))) {
    ctx.out(helpText(def));
    return 0;
  }
  let flags: Flags;
  try {
    flags = new Flags(parseFlags(argv, def.flags, def.interspersed !== false));
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    ctx.err(`${e.message}\n\nUsage:  skiff ${def.usage}\n\nRun 'skiff ${def.name} --help' for more information\n`);
    return 125;
  }
  const n = flags.args.length;
  const { min, max } = def.args ?? {};
  let argError: string | undefined;
  if (min !== undefined && max !== undefined && min === max && n !== min) {
    argError = `requires exactly ${plural(min, 'argument')}`;
  } else if (min !== undefined && n < min) argError = `requires at least ${plural(min, 'argument')}`;
  else if (max !== undefined && n > max) argError = max === 0 ? 'accepts no arguments' : `requires at most ${plural(max, 'argument')}`;
  if (argError !== undefined) {
    ctx.err(`skiff: 'skiff ${def.name}' ${argError}\n\nUsage:  skiff ${def.usage}\n\nSee 'skiff ${def.name} --help' for more information\n`);
    return 1;
  }
  try {
    return await def.run(ctx, flags);
  } catch (e) {
    return reportError(def, ctx, e);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function firstPositional(argv: string[]): number {
  const i = argv.findIndex((a) => !a.startsWith('-'));
  return i < 0 ? argv.length : i;
}

export function reportError(def: CommandDef, ctx: CommandContext, e: unknown): number {
  if (e instanceof StatusError) {
    if (e.message !== '') ctx.err(`${e.message}\n`);
    return e.code;
  }
  let message: string;
  let code = 1;
  if (e instanceof ApiError) message = `Error response from daemon: ${e.message}`;
  else if (e instanceof ConnectError) message = e.message;
  else if (e instanceof JsonStreamError) {
    message = e.message;
    code = e.code;
  } else if (e instanceof StreamSystemError) message = e.message;
  else if (isTemplateError(e)) message = `template parsing error: ${(e as Error).message}`;
  else if (e instanceof Error) message = e.message;
  else message = String(e);
  if (def.runLike) {
    ctx.err(`skiff: ${message}\n\nRun 'skiff ${def.name} --help' for more information\n`);
    return 125;
  }
  ctx.err(`${message}\n`);
  return code;
}

function helpText(def: CommandDef): string {
  const lines = def.flags
    .filter((f) => !f.unsupported)
    .map((f) => `  ${f.short !== undefined ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'bool' ? '' : ` ${f.type === 'list' ? 'list' : f.type}`}`);
  return `\nUsage:  skiff ${def.usage}\n\nOptions:\n${lines.join('\n')}\n`;
}
