import { forEachRef, type CommandContext, type CommandDef } from '../command.js';

/** pause/unpause: one request per container, names echoed, daemon errors collected (exit 1). */
const each = (ctx: CommandContext, refs: string[], op: 'pause' | 'unpause') =>
  forEachRef(ctx, refs, async (ref) => {
    await ctx.client().exec('POST', `/containers/${encodeURIComponent(ref)}/${op}`);
  });

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
