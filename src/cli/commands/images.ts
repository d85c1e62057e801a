import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { contextObject, filtersJson, renderList } from '../format-list.js';
import { GoObject, type GoValue } from '../go-value.js';
import { goTimeString, humanSize, timeAgo, truncateId } from '../human.js';
import { normalizeRef } from '../reference.js';

interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: number;
  Size?: number;
  SharedSize?: number;
  VirtualSize?: number;
  Containers?: number;
}

const HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

interface Row {
  image: ImageSummary;
  repo: string;
  tag: string;
  digest: string;
}

function familiarName(ref: string): string {
  return normalizeRef(ref).repository.replace(/^docker\.io\/(library\/)?/, '');
}

/** docker's expansion of images into rows: one per repo:tag, digest-only refs, else <none>. */
export function imageRows(images: ImageSummary[], showDigests: boolean): Row[] {
  const rows: Row[] = [];
  for (const image of images) {
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const ref of image.RepoTags ?? []) {
      const at = ref.lastIndexOf(':');
      if (at <= ref.lastIndexOf('/')) continue;
      const repo = familiarName(ref.slice(0, at));
      repoTags.set(repo, [...(repoTags.get(repo) ?? []), ref.slice(at + 1)]);
    }
    for (const ref of image.RepoDigests ?? []) {
      const at = ref.indexOf('@');
      if (at < 0) continue;
      const repo = familiarName(ref.slice(0, at));
      repoDigests.set(repo, [...(repoDigests.get(repo) ?? []), ref.slice(at + 1)]);
    }
    for (const [repo, tags] of repoTags) {
      const digests = showDigests ? repoDigests.get(repo) ?? [] : [];
      repoDigests.delete(repo);
      for (const tag of tags) {
        if (digests.length === 0) rows.push({ image, repo, tag, digest: '<none>' });
        else for (const digest of digests) rows.push({ image, repo, tag, digest });
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (showDigests) for (const digest of digests) rows.push({ image, repo, tag: '<none>', digest });
      else rows.push({ image, repo, tag: '<none>', digest: '' });
    }
    if (repoTags.size === 0 && repoDigests.size === 0) rows.push({ image, repo: '<none>', tag: '<none>', digest: '<none>' });
  }
  return rows;
}

export function imageContext(row: Row, trunc: boolean, now = Date.now()): GoObject {
  const i = row.image;
  const shared = i.SharedSize ?? -1;
  const fields: Record<string, (...args: GoValue[]) => GoValue> = {
    ID: () => (trunc ? truncateId(i.Id) : i.Id),
    Repository: () => row.repo,
    Tag: () => row.tag,
    Digest: () => row.digest,
    CreatedSince: () => timeAgo(i.Created ?? 0, now),
    CreatedAt: () => goTimeString(i.Created ?? 0),
    Size: () => humanSize(i.Size ?? 0),
    Containers: () => ((i.Containers ?? -1) === -1 ? 'N/A' : String(i.Containers)),
    SharedSize: () => (shared === -1 ? 'N/A' : humanSize(shared)),
    UniqueSize: () => (shared === -1 ? 'N/A' : humanSize((i.Size ?? 0) - shared)),
    VirtualSize: () => humanSize(i.VirtualSize ?? i.Size ?? 0, 4),
  };
  const json = () => {
    const m = new Map<string, GoValue>();
    for (const k of Object.keys(fields).sort()) m.set(k, (fields[k] as () => GoValue)());
    return new GoObject(m, 'map');
  };
  return contextObject('*formatter.imageContext', fields, json);
}

async function images(ctx: CommandContext, flags: Flags): Promise<number> {
  if (flags.bool('tree')) throw new Error('the --tree flag is not supported by skiff yet');
  const quiet = flags.bool('quiet');
  const digests = flags.bool('digests');
  let format = flags.string('format');
  if (format === '' || format === 'table') {
    if (quiet) format = '{{.ID}}';
    else if (digests) format = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
    else format = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
  }
  const ref = flags.args[0];
  const list = await ctx.client().json<ImageSummary[]>('GET', '/images/json', {
    query: {
      all: flags.bool('all') ? true : undefined,
      filters: filtersJson(flags.list('filter'), ref !== undefined ? [['reference', ref]] : []),
    },
  });
  const trunc = !flags.bool('no-trunc');
  const now = Date.now();
  const rows = imageRows(list, digests).map((r) => imageContext(r, trunc, now));
  ctx.out(renderList(format, rows, HEADERS));
  return 0;
}

const flags = [
  { name: 'all', short: 'a', type: 'bool' as const },
  { name: 'quiet', short: 'q', type: 'bool' as const },
  { name: 'no-trunc', type: 'bool' as const },
  { name: 'digests', type: 'bool' as const },
  { name: 'filter', short: 'f', type: 'list' as const },
  { name: 'format', type: 'string' as const },
  { name: 'tree', type: 'bool' as const },
];

export const imagesCommand: CommandDef = {
  name: 'images', usage: 'images [OPTIONS] [REPOSITORY[:TAG]]', flags, args: { max: 1 }, run: images,
};
export const imageLsCommand: CommandDef = {
  name: 'image ls', usage: 'image ls [OPTIONS] [REPOSITORY[:TAG]]', flags, args: { max: 1 }, run: images,
};
