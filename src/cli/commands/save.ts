import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { StatusError, type CommandDef } from '../command.js';

/** docker save: GET /images/get?names=… streamed to a file (-o) or to a non-terminal stdout. */
export const saveCommand: CommandDef = {
  name: 'save',
  usage: 'save [OPTIONS] IMAGE [IMAGE...]',
  flags: [{ name: 'output', short: 'o', type: 'string' }, { name: 'platform', type: 'string' }],
  args: { min: 1 },
  run: async (ctx, f) => {
    const output = f.string('output');
    if (!output && (ctx.stdout as { isTTY?: boolean }).isTTY) {
      throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const res = await ctx.client().call('GET', '/images/get', { query: { names: f.args } });
    await pipeline(res, output ? fs.createWriteStream(output) : ctx.stdout);
    return 0;
  },
};
