import { forEachRef, StatusError, type CommandDef } from '../command.js';
import { restartPolicy } from '../create-options.js';

/** `update --restart`: the only update the engine applies so far; resource flags are refused. */
export const updateCommand: CommandDef = {
  name: 'update',
  usage: 'update [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'restart', type: 'string' },
    ...[
      'blkio-weight', 'cpu-period', 'cpu-quota', 'cpu-rt-period', 'cpu-rt-runtime', 'cpu-shares', 'cpus', 'cpuset-cpus',
      'cpuset-mems', 'kernel-memory', 'memory', 'memory-reservation', 'memory-swap', 'pids-limit',
    ].map((name) => ({ name, type: 'string' as const, unsupported: true, ...(name === 'memory' ? { short: 'm' } : name === 'cpu-shares' ? { short: 'c' } : {}) })),
  ],
  args: { min: 1 },
  run: async (ctx, f) => {
    if (!f.has('restart')) throw new StatusError(1, 'you must provide one or more flags when using this command');
    const body = { RestartPolicy: restartPolicy(f.string('restart')) };
    return forEachRef(ctx, f.args, async (ref) => {
      await ctx.client().exec('POST', `/containers/${encodeURIComponent(ref)}/update`, { body });
    });
  },
};
