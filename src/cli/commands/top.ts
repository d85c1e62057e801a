import type { TopResponse } from '../../container/stats-ps-output.js';
import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { tabwrite } from '../tabwriter.js';

/** `top CONTAINER [ps OPTIONS]`: everything after the container is ps's, sent as one space-joined string. */
async function top(ctx: CommandContext, flags: Flags): Promise<number> {
  const [container = '', ...psArgs] = flags.args;
  const list = await ctx.client().json<TopResponse>('GET', `/containers/${encodeURIComponent(container)}/top`, {
    query: { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined },
  });
  const lines = [list.Titles.join('\t'), ...(list.Processes ?? []).map((p) => p.join('\t'))];
  // docker's top tabwriter: minwidth 20, padding 3.
  ctx.out(tabwrite(lines.map((l) => `${l}\n`).join(''), 20, 3));
  return 0;
}

export const topCommand: CommandDef = {
  name: 'top',
  usage: 'top CONTAINER [ps OPTIONS]',
  flags: [],
  interspersed: false,
  args: { min: 1 },
  run: top,
};
export const containerTopCommand: CommandDef = { ...topCommand, name: 'container top', usage: 'container top CONTAINER [ps OPTIONS]' };
