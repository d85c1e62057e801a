import { ApiError } from '../../client/api-error.js';
import type { EngineClient } from '../../client/engine-client.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { GoTemplate } from '../go-template.js';
import { indentJson, parseGoJson } from '../go-value.js';

type Kind = 'container' | 'image' | 'network' | 'volume';

const PATHS: Record<Kind, (ref: string) => string> = {
  container: (r) => `/containers/${encodeURIComponent(r)}/json`,
  image: (r) => `/images/${r}/json`,
  network: (r) => `/networks/${encodeURIComponent(r)}`,
  volume: (r) => `/volumes/${encodeURIComponent(r)}`,
};

/** Fetches one object's raw JSON, trying each kind in docker's order; undefined when none has it. */
async function fetchRaw(client: EngineClient, ref: string, kinds: Kind[]): Promise<string | undefined> {
  for (const kind of kinds) {
    try {
      return await client.raw('GET', PATHS[kind](ref));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
  }
  return undefined;
}

async function inspectWith(ctx: CommandContext, flags: Flags, kinds: Kind[], what: string, strict = false): Promise<number> {
  const client = ctx.client();
  const format = flags.string('format');
  const tmpl = format !== '' ? new GoTemplate(format, { missingKeyError: true }) : undefined;
  const raws: string[] = [];
  const errors: string[] = [];
  for (const ref of flags.args) {
    let raw: string | undefined;
    try {
      raw = strict ? await client.raw('GET', PATHS[kinds[0] ?? 'container'](ref)) : await fetchRaw(client, ref, kinds);
    } catch (e) {
      if (e instanceof ApiError) {
        errors.push(`Error response from daemon: ${e.message}`);
        continue;
      }
      throw e;
    }
    if (raw === undefined) {
      errors.push(what === 'object' ? `Error: No such object: ${ref}` : `Error: No such ${what}: ${ref}`);
      continue;
    }
    if (tmpl !== undefined) {
      let text: string;
      try {
        text = tmpl.execute(parseGoJson(raw));
      } catch (e) {
        ctx.out('\n'); // docker has already flushed the (empty) line when the template fails
        throw e;
      }
      ctx.out(`${text}\n`);
    }
    else raws.push(indentJson(raw.trim(), '    ', '    '));
  }
  if (tmpl === undefined) {
    ctx.out(raws.length === 0 ? '[]\n' : `[\n    ${raws.join(',\n    ')}\n]\n`);
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

const TYPES: Record<string, Kind[]> = {
  '': ['container', 'image', 'network', 'volume'],
  container: ['container'],
  image: ['image'],
  network: ['network'],
  volume: ['volume'],
};

const flags = [
  { name: 'format', short: 'f', type: 'string' as const },
  { name: 'size', short: 's', type: 'bool' as const, unsupported: true },
];

export const inspectCommand: CommandDef = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  flags: [...flags, { name: 'type', type: 'string' }],
  args: { min: 1 },
  run: (ctx, f) => {
    const kinds = TYPES[f.string('type')];
    if (kinds === undefined) throw new Error(`"${f.string('type')}" is not a valid value for --type`);
    return inspectWith(ctx, f, kinds, f.string('type') === '' ? 'object' : f.string('type'));
  },
};

export const containerInspectCommand: CommandDef = {
  name: 'container inspect',
  usage: 'container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  flags,
  args: { min: 1 },
  run: (ctx, f) => inspectWith(ctx, f, ['container'], 'container', true),
};

export const imageInspectCommand: CommandDef = {
  name: 'image inspect',
  usage: 'image inspect [OPTIONS] IMAGE [IMAGE...]',
  flags: flags.filter((x) => x.name !== 'size'),
  args: { min: 1 },
  run: (ctx, f) => inspectWith(ctx, f, ['image'], 'image', true),
};
