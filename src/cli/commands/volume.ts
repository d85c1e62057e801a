import { daemonErrorText, forEachRef, StatusError, type CommandDef } from '../command.js';
import { filtersJson } from '../format-list.js';
import { compileTemplate } from '../go-template.js';
import { fromJs } from '../go-value.js';
import { tabwrite } from '../tabwriter.js';

/** `skiff volume …`: create, ls, inspect, rm, prune, printed as docker prints them. */


function keyValues(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq === -1) out[l] = '';
    else out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

interface Volume {
  Name: string;
  Driver: string;
}

export const volumeCreateCommand: CommandDef = {
  name: 'volume create',
  usage: 'volume create [OPTIONS] [VOLUME]',
  flags: [
    { name: 'driver', short: 'd', type: 'string' },
    { name: 'label', type: 'list' },
    { name: 'opt', short: 'o', type: 'list' },
    { name: 'name', type: 'string' },
  ],
  args: { max: 1 },
  run: async (ctx, f) => {
    const v = await ctx.client().json<Volume>('POST', '/volumes/create', {
      body: { Name: f.args[0] ?? f.string('name'), Driver: f.string('driver') || 'local', DriverOpts: keyValues(f.list('opt')), Labels: keyValues(f.list('label')) },
    });
    ctx.out(`${v.Name}\n`);
    return 0;
  },
};

export const volumeLsCommand: CommandDef = {
  name: 'volume ls',
  usage: 'volume ls [OPTIONS]',
  flags: [
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'filter', short: 'f', type: 'list' },
    { name: 'format', type: 'string' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    const r = await ctx.client().json<{ Volumes: Volume[] | null }>('GET', '/volumes', { query: { filters: filtersJson(f.list('filter')) } });
    const list = (r.Volumes ?? []).sort((a, b) => (a.Name < b.Name ? -1 : 1));
    if (f.bool('quiet')) {
      ctx.out(list.map((v) => `${v.Name}\n`).join(''));
      return 0;
    }
    const format = f.string('format');
    if (format) {
      const t = compileTemplate(format);
      ctx.out(list.map((v) => `${t.execute(fromJs(v))}\n`).join(''));
      return 0;
    }
    ctx.out(tabwrite(`DRIVER\tVOLUME NAME\n${list.map((v) => `${v.Driver}\t${v.Name}\n`).join('')}`));
    return 0;
  },
};

export const volumeInspectCommand: CommandDef = {
  name: 'volume inspect',
  usage: 'volume inspect [OPTIONS] VOLUME [VOLUME...]',
  flags: [{ name: 'format', short: 'f', type: 'string' }],
  args: { min: 1 },
  run: async (ctx, f) => {
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const name of f.args) {
      try {
        found.push(await ctx.client().json('GET', `/volumes/${encodeURIComponent(name)}`));
      } catch (e) {
        errors.push(daemonErrorText(e));
      }
    }
    const format = f.string('format');
    if (format) {
      const t = compileTemplate(format);
      ctx.out(found.map((v) => `${t.execute(fromJs(v))}\n`).join(''));
    } else ctx.out(`${JSON.stringify(found, null, 4)}\n`);
    if (errors.length) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};


export const volumeRmCommand: CommandDef = {
  name: 'volume rm',
  usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]',
  flags: [{ name: 'force', short: 'f', type: 'bool' }],
  args: { min: 1 },
  run: (ctx, f) =>
    forEachRef(ctx, f.args, async (n) => {
      await ctx.client().call('DELETE', `/volumes/${encodeURIComponent(n)}`, { query: { force: f.bool('force') ? '1' : undefined } });
    }),
};

export const volumePruneCommand: CommandDef = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  flags: [
    { name: 'force', short: 'f', type: 'bool' },
    { name: 'all', short: 'a', type: 'bool' },
    { name: 'filter', type: 'list' },
  ],
  args: { max: 0 },
  run: async (ctx, f) => {
    if (!f.bool('force')) throw new StatusError(1, 'volume prune needs --force when not interactive');
    const extra: [string, string][] = f.bool('all') ? [['all', 'true']] : [];
    const r = await ctx.client().json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/volumes/prune', {
      query: { filters: filtersJson(f.list('filter'), extra) },
    });
    const deleted = r.VolumesDeleted ?? [];
    if (deleted.length > 0) ctx.out(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${r.SpaceReclaimed}B\n`);
    return 0;
  },
};
