import fs from 'node:fs';
import { readJsonStream } from '../../client/json-stream.js';
import { type CommandDef } from '../command.js';
import { displayMessage } from '../progress.js';

/** docker load: POST /images/load with the archive (plain or gzip) from -i or stdin; progress as JSON lines. */
export const loadCommand: CommandDef = {
  name: 'load',
  usage: 'load [OPTIONS]',
  flags: [
    { name: 'input', short: 'i', type: 'string' },
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'platform', type: 'string' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    const input = f.string('input');
    const body = input ? fs.createReadStream(input) : ctx.stdin;
    const res = await ctx.client().call('POST', '/images/load', {
      query: { quiet: f.bool('quiet') || !(ctx.stdout as { isTTY?: boolean }).isTTY ? '1' : '0' },
      body,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    await readJsonStream(res, (m) => ctx.out(displayMessage(m)));
    return 0;
  },
};
