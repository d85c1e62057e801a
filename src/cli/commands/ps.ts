import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { filtersJson, renderList } from '../format-list.js';
import { GoTemplate } from '../go-template.js';
import { PS_HEADERS, psContext, type ContainerSummary } from '../ps-context.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** Does the template read .Size? docker then asks the daemon for sizes. */
function usesSize(format: string): boolean {
  let used = false;
  const probe = psContext({ Id: '' }, true);
  const original = probe.entries.get('Size');
  probe.entries.set('Size', () => {
    used = true;
    return typeof original === 'function' ? original() : '';
  });
  try {
    new GoTemplate(format.replace(/^table/, '')).execute(probe);
  } catch {
    // a template that fails on an empty row is reported when rows are rendered
  }
  return used;
}

async function ps(ctx: CommandContext, flags: Flags): Promise<number> {
  const quiet = flags.bool('quiet');
  let format = flags.string('format');
  let size = flags.bool('size');
  if (format === '' || format === 'table') {
    format = quiet ? '{{.ID}}' : DEFAULT_FORMAT + (size ? '\t{{.Size}}' : '');
  } else if (!quiet && !flags.has('size') && usesSize(format)) size = true;
  let limit = flags.has('last') ? flags.int('last', -1) : -1;
  if (flags.bool('latest') && limit === -1) limit = 1;
  const list = await ctx.client().json<ContainerSummary[]>('GET', '/containers/json', {
    query: {
      all: flags.bool('all') ? true : undefined,
      limit: limit > 0 ? limit : undefined,
      size: size ? true : undefined,
      filters: filtersJson(flags.list('filter')),
    },
  });
  const trunc = !flags.bool('no-trunc');
  const now = Date.now();
  ctx.out(renderList(format, list.map((c) => psContext(c, trunc, now)), PS_HEADERS));
  return 0;
}

const flags = [
  { name: 'all', short: 'a', type: 'bool' as const },
  { name: 'quiet', short: 'q', type: 'bool' as const },
  { name: 'last', short: 'n', type: 'int' as const },
  { name: 'latest', short: 'l', type: 'bool' as const },
  { name: 'no-trunc', type: 'bool' as const },
  { name: 'filter', short: 'f', type: 'list' as const },
  { name: 'format', type: 'string' as const },
  { name: 'size', short: 's', type: 'bool' as const },
];

export const psCommand: CommandDef = { name: 'ps', usage: 'ps [OPTIONS]', flags, args: { max: 0 }, run: ps };
export const containerLsCommand: CommandDef = { name: 'container ls', usage: 'container ls [OPTIONS]', flags, args: { max: 0 }, run: ps };
