import { readJsonStream } from '../../client/json-stream.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { displayMessage } from '../progress.js';
import { normalizeRef } from '../reference.js';
import { registryAuthFor } from './push.js';

async function pull(ctx: CommandContext, flags: Flags): Promise<number> {
  const arg = flags.args[0] ?? '';
  const all = flags.bool('all-tags');
  const ref = normalizeRef(arg);
  const explicit = ref.digest !== '' || /:[^/]+$/.test(arg.split('@')[0] ?? '');
  if (all && explicit) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
  const query = {
    fromImage: ref.repository,
    tag: all ? undefined : ref.digest || ref.tag,
    platform: flags.string('platform') || undefined,
  };
  const res = await ctx.client().call('POST', '/images/create', {
    query,
    headers: { 'X-Registry-Auth': await registryAuthFor(ctx, ref.repository) },
  });
  const quiet = flags.bool('quiet');
  await readJsonStream(res, (m) => {
    if (!quiet) ctx.out(displayMessage(m));
  });
  // docker prints the canonical reference last.
  ctx.out(`${ref.repository}${all ? '' : ref.digest ? `@${ref.digest}` : `:${ref.tag}`}\n`);
  return 0;
}

export const pullCommand: CommandDef = {
  name: 'pull',
  usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool' },
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'platform', type: 'string' },
    { name: 'disable-content-trust', type: 'bool' },
  ],
  args: { min: 1, max: 1 },
  run: pull,
};
