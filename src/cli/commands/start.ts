import { ApiError } from '../../client/api-error.js';
import { attachContainer, startErrorCode, waitHeaders } from '../attach-io.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

interface ContainerInfo {
  Id: string;
  Config?: { Tty?: boolean; OpenStdin?: boolean };
  State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean };
  HostConfig?: { AutoRemove?: boolean };
}

async function inspect(ctx: CommandContext, ref: string): Promise<ContainerInfo> {
  return ctx.client().json<ContainerInfo>('GET', `/containers/${encodeURIComponent(ref)}/json`);
}

async function start(ctx: CommandContext, flags: Flags): Promise<number> {
  const client = ctx.client();
  if (flags.bool('attach') || flags.bool('interactive')) {
    if (flags.args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
    const info = await inspect(ctx, flags.args[0] ?? '');
    const tty = info.Config?.Tty === true;
    const stdin = flags.bool('interactive') && info.Config?.OpenStdin === true;
    const attached = await attachContainer(client, ctx, info.Id, { stdin, tty });
    const wait = await waitHeaders(client, info.Id, info.HostConfig?.AutoRemove ? 'removed' : 'next-exit');
    try {
      await client.exec('POST', `/containers/${info.Id}/start`);
    } catch (e) {
      attached.socket.destroy();
      wait.res.destroy();
      if (e instanceof ApiError) throw new StatusError(startErrorCode(e.message), `Error response from daemon: ${e.message}`);
      throw e;
    }
    await attached.done.catch((e: Error) => ctx.err(`${e.message}\n`));
    const status = await wait.result;
    return status.StatusCode;
  }
  const failed: string[] = [];
  for (const ref of flags.args) {
    try {
      await client.exec('POST', `/containers/${encodeURIComponent(ref)}/start`);
      ctx.out(`${ref}\n`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      ctx.err(`Error response from daemon: ${e.message}\n`);
      failed.push(ref);
    }
  }
  if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
  return 0;
}

async function attach(ctx: CommandContext, flags: Flags): Promise<number> {
  const client = ctx.client();
  const info = await inspect(ctx, flags.args[0] ?? '');
  if (info.State?.Running !== true) throw new Error('You cannot attach to a stopped container, start it first');
  if (info.State?.Paused === true) throw new Error('You cannot attach to a paused container, unpause it first');
  if (info.State?.Restarting === true) throw new Error('You cannot attach to a restarting container, wait until it is running');
  const tty = info.Config?.Tty === true;
  const stdin = !flags.bool('no-stdin') && info.Config?.OpenStdin === true;
  const attached = await attachContainer(client, ctx, info.Id, { stdin, tty });
  await attached.done;
  const r = await client.json<{ StatusCode: number }>('POST', `/containers/${info.Id}/wait`);
  return r.StatusCode;
}

export const startCommand: CommandDef = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'attach', short: 'a', type: 'bool' },
    { name: 'interactive', short: 'i', type: 'bool' },
    { name: 'detach-keys', type: 'string', unsupported: true },
    { name: 'checkpoint', type: 'string', unsupported: true },
    { name: 'checkpoint-dir', type: 'string', unsupported: true },
  ],
  args: { min: 1 },
  run: start,
};

export const attachCommand: CommandDef = {
  name: 'attach',
  usage: 'attach [OPTIONS] CONTAINER',
  flags: [
    { name: 'no-stdin', type: 'bool' },
    { name: 'sig-proxy', type: 'bool' },
    { name: 'detach-keys', type: 'string', unsupported: true },
  ],
  args: { min: 1, max: 1 },
  run: attach,
};
