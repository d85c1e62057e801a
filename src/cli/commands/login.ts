import { ApiError } from '../../client/api-error.js';
import { CredentialStore, configDir } from '../../registry/client/credential-store.js';
import { domainOfServerAddress, serverAddressOfDomain } from '../../registry/client/registry-hosts.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** The config.json key of a server argument: Docker Hub's is "https://index.docker.io/v1/". */
export const credentialKey = (server: string | undefined): string => serverAddressOfDomain(domainOfServerAddress(server ?? ''));

/** skiff login: the daemon checks the credentials (POST /auth), then they are stored like docker does. */
async function login(ctx: CommandContext, flags: Flags): Promise<number> {
  const server = credentialKey(flags.args[0]);
  const store = new CredentialStore(configDir(ctx.env));
  let username = flags.string('username');
  let password = flags.string('password');
  if (flags.bool('password-stdin')) {
    if (password) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
    if (!username) throw new StatusError(1, 'Must provide --username with --password-stdin');
    password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
  }
  if (password && !flags.bool('password-stdin')) ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (!username || !password) {
    const stored = await store.get(server);
    username ||= stored.username ?? '';
    password ||= stored.password ?? '';
  }
  if (!username || !password) throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
  let identityToken = '';
  try {
    const res = await ctx.client().json<{ Status?: string; IdentityToken?: string }>('POST', '/auth', {
      body: { username, password, serveraddress: server },
    });
    identityToken = res.IdentityToken ?? '';
  } catch (e) {
    if (e instanceof ApiError) throw new StatusError(1, `Error response from daemon: ${e.message}`);
    throw e;
  }
  await store.store(server, identityToken ? { identitytoken: identityToken, serveraddress: server } : { username, password, serveraddress: server });
  ctx.out('Login Succeeded\n');
  return 0;
}

export const loginCommand: CommandDef = {
  name: 'login',
  usage: 'login [OPTIONS] [SERVER]',
  flags: [
    { name: 'username', short: 'u', type: 'string' },
    { name: 'password', short: 'p', type: 'string' },
    { name: 'password-stdin', type: 'bool' },
  ],
  args: { max: 1 },
  run: login,
};
