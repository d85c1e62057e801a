import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { StatusError, type CommandDef } from '../command.js';

/** docker export: GET /containers/{id}/export streamed to a file (-o) or to a non-terminal stdout. */
export const exportCommand: CommandDef = {
  name: 'export',
  usage: 'export [OPTIONS] CONTAINER',
  flags: [{ name: 'output', short: 'o', type: 'string' }],
  args: { min: 1, max: 1 },
  run: async (ctx, f) => {
    const output = f.string('output');
    if (!output && (ctx.stdout as { isTTY?: boolean }).isTTY) {
      throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const res = await ctx.client().call('GET', `/containers/${encodeURIComponent(f.args[0] ?? '')}/export`);
    await pipeline(res, output ? fs.createWriteStream(output) : ctx.stdout);
    return 0;
  },
};
