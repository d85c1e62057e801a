import { readJsonStream } from '../../client/json-stream.js';
import { encodeRegistryAuthHeader } from '../../registry/client/auth-config.js';
import { CredentialStore, configDir } from '../../registry/client/credential-store.js';
import { serverAddressOfDomain } from '../../registry/client/registry-hosts.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { displayMessage } from '../progress.js';
import { normalizeRef } from '../reference.js';

/** X-Registry-Auth for a repository, from the stored credentials of its registry. */
export async function registryAuthFor(ctx: CommandContext, repository: string): Promise<string> {
  const domain = repository.split('/')[0] ?? 'docker.io';
  const auth = await new CredentialStore(configDir(ctx.env)).get(serverAddressOfDomain(domain));
  return encodeRegistryAuthHeader(auth);
}

async function push(ctx: CommandContext, flags: Flags): Promise<number> {
  const arg = flags.args[0] ?? '';
  const all = flags.bool('all-tags');
  const ref = normalizeRef(arg);
  if (ref.digest) throw new StatusError(1, 'invalid reference format: cannot push a digest reference');
  const explicitTag = /:[^/]+$/.test(arg.split('@')[0] ?? '');
  if (all && explicitTag) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
  const res = await ctx.client().call('POST', `/images/${ref.repository}/push`, {
    query: { tag: all ? '' : ref.tag },
    headers: { 'X-Registry-Auth': await registryAuthFor(ctx, ref.repository) },
  });
  const quiet = flags.bool('quiet');
  await readJsonStream(res, (m) => {
    if (!quiet) ctx.out(displayMessage(m));
  });
  if (quiet) ctx.out(`${ref.repository}${all ? '' : `:${ref.tag}`}\n`);
  return 0;
}

export const pushCommand: CommandDef = {
  name: 'push',
  usage: 'push [OPTIONS] NAME[:TAG]',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool' },
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'disable-content-trust', type: 'bool' },
    { name: 'platform', type: 'string', unsupported: true },
  ],
  args: { min: 1, max: 1 },
  run: push,
};
