import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { readJsonStream } from '../../client/json-stream.js';
import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { displayMessage } from '../progress.js';

/** docker import: POST /images/create?fromSrc=- with the tarball streamed as the body. */
async function importImage(ctx: CommandContext, flags: Flags): Promise<number> {
  const [source = '', ref] = flags.args;
  let body: Readable | undefined;
  let fromSrc = '-';
  if (source === '-') body = ctx.stdin;
  else if (/^https?:\/\//.test(source)) fromSrc = source;
  else {
    fs.accessSync(source, fs.constants.R_OK);
    body = fs.createReadStream(source);
  }
  const res = await ctx.client().call('POST', '/images/create', {
    query: {
      fromSrc,
      repo: ref,
      message: flags.string('message') || undefined,
      platform: flags.string('platform') || undefined,
      changes: flags.list('change'),
    },
    body,
    headers: { 'Content-Type': 'text/plain' },
  });
  await readJsonStream(res, (m) => ctx.out(displayMessage(m)));
  return 0;
}

export const importCommand: CommandDef = {
  name: 'import',
  usage: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  flags: [
    { name: 'change', short: 'c', type: 'list' },
    { name: 'message', short: 'm', type: 'string' },
    { name: 'platform', type: 'string' },
  ],
  args: { min: 1, max: 2 },
  run: importImage,
};
