import { ApiError } from '../../client/api-error.js';
import { StatusError, type CommandDef } from '../command.js';

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
    const errors: string[] = [];
    for (const ref of f.args) {
      try {
        await ctx.client().exec('POST', `/containers/${encodeURIComponent(ref)}/restart`, { query: { t, signal } });
        ctx.out(`${ref}\n`);
      } catch (e) {
        errors.push(e instanceof ApiError ? `Error response from daemon: ${e.message}` : (e as Error).message);
      }
    }
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};
