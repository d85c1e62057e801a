import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

const KIND = ['C', 'A', 'D'];

/** skiff diff: GET /containers/{id}/changes, one "K /path" line each. */
async function diff(ctx: CommandContext, flags: Flags): Promise<number> {
  const ref = flags.args[0] ?? '';
  const changes = await ctx.client().json<Array<{ Path: string; Kind: number }> | null>('GET', `/containers/${encodeURIComponent(ref)}/changes`);
  for (const c of changes ?? []) ctx.out(`${KIND[c.Kind] ?? '?'} ${c.Path}\n`);
  return 0;
}

export const diffCommand: CommandDef = {
  name: 'diff',
  usage: 'diff CONTAINER',
  flags: [],
  args: { min: 1, max: 1 },
  run: diff,
};
