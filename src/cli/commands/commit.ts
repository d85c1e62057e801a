import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

/** skiff commit: POST /commit; prints the new image ID as docker does. */
async function commit(ctx: CommandContext, flags: Flags): Promise<number> {
  const [container = '', ref = ''] = flags.args;
  let repo = ref;
  let tag = '';
  const m = /^(.*?)(?::([\w][\w.-]{0,127}))?$/.exec(ref);
  if (ref !== '' && m && m[2] !== undefined && !m[2].includes('/')) {
    repo = m[1] ?? '';
    tag = m[2];
  }
  const res = await ctx.client().json<{ Id: string }>('POST', '/commit', {
    query: {
      container,
      repo: repo || undefined,
      tag: tag || undefined,
      comment: flags.string('message') || undefined,
      author: flags.string('author') || undefined,
      changes: flags.list('change'),
      pause: flags.has('pause') && !flags.bool('pause') ? false : true,
    },
    body: {},
  });
  ctx.out(`${res.Id}\n`);
  return 0;
}

export const commitCommand: CommandDef = {
  name: 'commit',
  usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  flags: [
    { name: 'author', short: 'a', type: 'string' },
    { name: 'change', short: 'c', type: 'list' },
    { name: 'message', short: 'm', type: 'string' },
    { name: 'pause', short: 'p', type: 'bool' },
  ],
  args: { min: 1, max: 2 },
  run: commit,
};
