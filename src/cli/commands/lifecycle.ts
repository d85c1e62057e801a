import { ApiError } from '../../client/api-error.js';
import { forEachRef, StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

const path = (ref: string, op: string) => `/containers/${encodeURIComponent(ref)}${op === '' ? '' : `/${op}`}`;

export const stopCommand: CommandDef = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'timeout', short: 't', type: 'int' },
    { name: 'time', type: 'int' },
    { name: 'signal', short: 's', type: 'string' },
  ],
  args: { min: 1 },
  run: (ctx, f: Flags) => {
    const t = f.has('timeout') ? f.int('timeout') : f.has('time') ? f.int('time') : undefined;
    const signal = f.string('signal') || undefined;
    const stop = async (ref: string) => {
      await ctx.client().exec('POST', path(ref, 'stop'), { query: { t, signal } });
    };
    return forEachRef(ctx, f.args, stop, { parallel: true });
  },
};

export const killCommand: CommandDef = {
  name: 'kill',
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [{ name: 'signal', short: 's', type: 'string' }],
  args: { min: 1 },
  run: (ctx, f) =>
    forEachRef(
      ctx,
      f.args,
      async (ref) => {
        await ctx.client().exec('POST', path(ref, 'kill'), { query: { signal: f.string('signal') || undefined } });
      },
      { parallel: true },
    ),
};

export const rmCommand: CommandDef = {
  name: 'rm',
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'force', short: 'f', type: 'bool' },
    { name: 'volumes', short: 'v', type: 'bool' },
    { name: 'link', short: 'l', type: 'bool', unsupported: true },
  ],
  args: { min: 1 },
  run: (ctx, f) =>
    forEachRef(
      ctx,
      f.args,
      async (ref) => {
        await ctx.client().exec('DELETE', path(ref, ''), {
          query: { force: f.bool('force') ? true : undefined, v: f.bool('volumes') ? true : undefined },
        });
      },
      { parallel: true },
    ),
};

export const renameCommand: CommandDef = {
  name: 'rename',
  usage: 'rename CONTAINER NEW_NAME',
  flags: [],
  args: { min: 2, max: 2 },
  run: async (ctx, f) => {
    const [from = '', to = ''] = f.args;
    if (to.trim() === '') throw new Error('Error: neither old nor new names may be empty');
    try {
      await ctx.client().exec('POST', path(from, 'rename'), { query: { name: to } });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      throw new StatusError(1, `Error response from daemon: ${e.message}\nError: failed to rename container named ${from}`);
    }
    return 0;
  },
};

export const waitCommand: CommandDef = {
  name: 'wait',
  usage: 'wait CONTAINER [CONTAINER...]',
  flags: [],
  args: { min: 1 },
  run: (ctx: CommandContext, f) =>
    forEachRef(
      ctx,
      f.args,
      async (ref) => {
        const r = await ctx.client().json<{ StatusCode: number; Error?: { Message?: string } | null }>('POST', path(ref, 'wait'));
        if (r.Error?.Message) throw new Error(r.Error.Message);
        return String(r.StatusCode);
      },
      { parallel: true },
    ),
};
