import { forEachRef, type CommandDef } from '../command.js';

export const restartCommand: CommandDef = {
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'timeout', short: 't', type: 'int' },
    { name: 'time', type: 'int' },
    { name: 'signal', short: 's', type: 'string' },
  ],
  args: { min: 1 },
  run: async (ctx, f) => {
    const t = f.has('timeout') ? f.int('timeout') : f.has('time') ? f.int('time') : undefined;
    const signal = f.string('signal') || undefined;
    return forEachRef(ctx, f.args, async (ref) => {
      await ctx.client().exec('POST', `/containers/${encodeURIComponent(ref)}/restart`, { query: { t, signal } });
    });
  },
};
