import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import { filtersJson } from '../format-list.js';
import { humanSize } from '../human.js';

/** Reads one line from stdin for the [y/N] prompt; EOF counts as "no". */
function readAnswer(ctx: CommandContext): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl));
    };
    const finish = (answer: string) => {
      ctx.stdin.removeListener('data', onData);
      ctx.stdin.removeListener('end', onEnd);
      ctx.stdin.pause();
      resolve(answer.trim());
    };
    const onEnd = () => finish(buf);
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', onEnd);
  });
}

export const containerPruneCommand: CommandDef = {
  name: 'container prune',
  usage: 'container prune [OPTIONS]',
  flags: [
    { name: 'force', short: 'f', type: 'bool' },
    { name: 'filter', type: 'list' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    if (!f.bool('force')) {
      ctx.out('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
      const answer = (await readAnswer(ctx)).toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        throw new StatusError(0);
      }
    }
    const r = await ctx.client().json<{ ContainersDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/containers/prune', {
      query: { filters: filtersJson(f.list('filter')) },
    });
    const deleted = r.ContainersDeleted ?? [];
    if (deleted.length > 0) ctx.out(`Deleted Containers:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
    return 0;
  },
};
