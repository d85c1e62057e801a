import { CredentialStore, configDir } from '../../registry/client/credential-store.js';
import type { CommandDef } from '../command.js';
import { credentialKey } from './login.js';

/** skiff logout: removes what login stored; no daemon call, as with docker. */
export const logoutCommand: CommandDef = {
  name: 'logout',
  usage: 'logout [SERVER]',
  flags: [],
  args: { max: 1 },
  run: async (ctx, flags) => {
    const server = credentialKey(flags.args[0]);
    const had = await new CredentialStore(configDir(ctx.env)).erase(server);
    if (!had) ctx.out(`Not logged in to ${server}\n`);
    else ctx.out(`Removing login credentials for ${server}\n`);
    return 0;
  },
};
