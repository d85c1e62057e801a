import { ApiError } from '../../client/api-error.js';
import { StatusError, type CommandContext, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { renderList } from '../format-list.js';
import { GoObject, type GoValue } from '../go-value.js';
import { ellipsis, goTimeString, humanSize, timeAgo, truncateId } from '../human.js';
import { normalizeRef, splitRepoTag } from '../reference.js';

async function rmi(ctx: CommandContext, flags: Flags): Promise<number> {
  const errors: string[] = [];
  for (const ref of flags.args) {
    try {
      const items = await ctx.client().json<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${ref}`, {
        query: { force: flags.bool('force') ? true : undefined, noprune: flags.bool('no-prune') ? true : undefined },
      });
      for (const item of items ?? []) {
        if (item.Untagged !== undefined && item.Untagged !== '') ctx.out(`Untagged: ${item.Untagged}\n`);
        if (item.Deleted !== undefined && item.Deleted !== '') ctx.out(`Deleted: ${item.Deleted}\n`);
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(`Error response from daemon: ${e.message}`);
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

export const rmiCommand: CommandDef = {
  name: 'rmi',
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  flags: [
    { name: 'force', short: 'f', type: 'bool' },
    { name: 'no-prune', type: 'bool' },
    { name: 'platform', type: 'string', unsupported: true },
  ],
  args: { min: 1 },
  run: rmi,
};

export const tagCommand: CommandDef = {
  name: 'tag',
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  flags: [],
  args: { min: 2, max: 2 },
  run: async (ctx, f) => {
    const [source = '', target = ''] = f.args;
    const { repo, tag } = splitRepoTag(target);
    if (target.includes('@')) throw new Error('refusing to create a tag with a digest reference');
    const normalized = normalizeRef(repo).repository;
    await ctx.client().exec('POST', `/images/${source}/tag`, { query: { repo: normalized, tag: tag === '' ? 'latest' : tag } });
    return 0;
  },
};

interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags?: string[] | null;
  Size: number;
  Comment: string;
}

const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};

export function historyContext(h: HistoryItem, trunc: boolean, human: boolean, now = Date.now()): GoObject {
  const fields: Record<string, () => GoValue> = {
    ID: () => (h.Id.startsWith('<') ? h.Id : trunc ? truncateId(h.Id) : h.Id),
    CreatedSince: () => (human ? timeAgo(h.Created, now) : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z')),
    CreatedAt: () => (human ? new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : goTimeString(h.Created)),
    CreatedBy: () => {
      const by = h.CreatedBy.replace(/\t/g, ' ');
      return trunc ? ellipsis(by, 45) : by;
    },
    Size: () => (human ? humanSize(h.Size) : String(h.Size)),
    Comment: () => h.Comment,
  };
  return new GoObject(new Map(Object.entries(fields)), 'struct', '*image.historyContext', () => {
    const m = new Map<string, GoValue>();
    for (const k of Object.keys(fields).sort()) m.set(k, (fields[k] as () => GoValue)());
    return new GoObject(m, 'map');
  });
}

export const historyCommand: CommandDef = {
  name: 'history',
  usage: 'history [OPTIONS] IMAGE',
  flags: [
    { name: 'human', short: 'H', type: 'bool' },
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'no-trunc', type: 'bool' },
    { name: 'format', type: 'string' },
    { name: 'platform', type: 'string', unsupported: true },
  ],
  args: { min: 1, max: 1 },
  run: async (ctx, f) => {
    const items = await ctx.client().json<HistoryItem[]>('GET', `/images/${f.args[0] ?? ''}/history`);
    const human = !f.has('human') || f.bool('human');
    let format = f.string('format');
    if (format === '' || format === 'table') {
      format = f.bool('quiet') ? '{{.ID}}' : 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    }
    const now = Date.now();
    const rows = items.map((h) => historyContext(h, !f.bool('no-trunc'), human, now));
    ctx.out(renderList(format, rows, HISTORY_HEADERS));
    return 0;
  },
};
