import { ApiError } from '../../client/api-error.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';

/** pause/unpause: one request per container, names echoed, daemon errors collected (exit 1). */
async function each(ctx: CommandContext, refs: string[], op: 'pause' | 'unpause'): Promise<number> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await ctx.client().exec('POST', `/containers/${encodeURIComponent(ref)}/${op}`);
      ctx.out(`${ref}\n`);
    } catch (e) {
      errors.push(e instanceof ApiError ? `Error response from daemon: ${e.message}` : (e as Error).message);
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

export const pauseCommand: CommandDef = {
  name: 'pause',
  usage: 'pause CONTAINER [CONTAINER...]',
  flags: [],
  args: { min: 1 },
  run: (ctx, f) => each(ctx, f.args, 'pause'),
};

export const unpauseCommand: CommandDef = {
  name: 'unpause',
  usage: 'unpause CONTAINER [CONTAINER...]',
  flags: [],
  args: { min: 1 },
  run: (ctx, f) => each(ctx, f.args, 'unpause'),
};
