import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { IgnoreMatcher } from '../../build/dockerignore.js';
import { readJsonStream } from '../../client/json-stream.js';
import type { CommandContext, CommandDef } from '../command.js';
import type { Flags } from '../flags.js';
import { BuildProgress } from './build-progress.js';

/**
 * skiff build: tars the context (minus .dockerignore'd paths; the Dockerfile and .dockerignore
 * always go), POSTs it to /build (the legacy builder protocol) and prints the stream as docker
 * does; on a terminal it shows BuildProgress instead (step n/N, time per step, cached steps).
 * SOURCE_DATE_EPOCH in the environment is sent as the build arg of that name.
 */
export async function contextEntries(dir: string, ignore: IgnoreMatcher, keep: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await fsp.readdir(rel === '' ? dir : join(dir, rel))).sort();
    for (const n of names) {
      const p = rel === '' ? n : `${rel}/${n}`;
      const st = await fsp.lstat(join(dir, p));
      if (!keep.has(p) && ignore.matches(p)) {
        if (st.isDirectory() && !ignore.canSkipDir(p)) await walk(p);
        continue;
      }
      out.push(p);
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk('');
  return out;
}

function packContext(dir: string, names: string[], extra: { name: string; content: Buffer } | undefined): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const n of names) {
        const host = join(dir, n);
        const st = await fsp.lstat(host);
        const base = { name: n, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
        if (st.isDirectory()) pack.entry({ ...base, type: 'directory' });
        else if (st.isSymbolicLink()) pack.entry({ ...base, type: 'symlink', linkname: await fsp.readlink(host) });
        else if (st.isFile()) pack.entry({ ...base, type: 'file', size: st.size }, await fsp.readFile(host));
      }
      if (extra) pack.entry({ name: extra.name, mode: 0o644, mtime: new Date(), uid: 0, gid: 0 }, extra.content);
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  // tar-stream packs are streamx streams: wrap so the client sees a Node Readable.
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

async function build(ctx: CommandContext, flags: Flags): Promise<number> {
  const contextArg = flags.args[0] ?? '.';
  const fileFlag = flags.string('file');
  let body: Readable;
  let dockerfileParam = fileFlag;
  if (contextArg === '-') {
    body = ctx.stdin;
  } else {
    const dir = resolve(contextArg);
    let extra: { name: string; content: Buffer } | undefined;
    if (fileFlag === '-') {
      extra = { name: `.dockerfile.${randomBytes(10).toString('hex')}`, content: readFileSync(0) };
      dockerfileParam = extra.name;
    } else if (fileFlag !== '') {
      const abs = resolve(fileFlag);
      const rel = relative(dir, abs);
      if (rel.startsWith('..')) {
        extra = { name: `.dockerfile.${randomBytes(10).toString('hex')}`, content: readFileSync(abs) };
        dockerfileParam = extra.name;
      } else dockerfileParam = rel;
    }
    let ignoreText = '';
    try {
      ignoreText = readFileSync(join(dir, '.dockerignore'), 'utf8');
    } catch {
      // no .dockerignore
    }
    const keep = new Set(['.dockerignore', dockerfileParam || 'Dockerfile']);
    const names = await contextEntries(dir, IgnoreMatcher.fromText(ignoreText), keep);
    body = packContext(dir, names, extra);
  }
  const buildArgs: Record<string, string | null> = {};
  for (const a of flags.list('build-arg')) {
    const i = a.indexOf('=');
    if (i < 0) buildArgs[a] = ctx.env[a] ?? null;
    else buildArgs[a.slice(0, i)] = a.slice(i + 1);
  }
  const labels: Record<string, string> = {};
  for (const l of flags.list('label')) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  // As buildx does: the CLI's SOURCE_DATE_EPOCH becomes the build arg unless one was given.
  const epoch = ctx.env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '' && !('SOURCE_DATE_EPOCH' in buildArgs)) buildArgs['SOURCE_DATE_EPOCH'] = epoch;
  const quiet = flags.bool('quiet');
  const res = await ctx.client().call('POST', '/build', {
    query: {
      t: flags.list('tag'),
      dockerfile: dockerfileParam || undefined,
      q: quiet ? true : undefined,
      nocache: flags.bool('no-cache') ? true : undefined,
      rm: flags.has('rm') && !flags.bool('rm') ? false : undefined,
      forcerm: flags.bool('force-rm') ? true : undefined,
      pull: flags.bool('pull') ? true : undefined,
      buildargs: Object.keys(buildArgs).length > 0 ? JSON.stringify(buildArgs) : undefined,
      labels: Object.keys(labels).length > 0 ? JSON.stringify(labels) : undefined,
      target: flags.string('target') || undefined,
      networkmode: flags.string('network') || undefined,
      platform: flags.string('platform') || undefined,
      version: '1',
    },
    body,
    headers: { 'Content-Type': 'application/x-tar' },
  });
  const tty = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
  const progress = tty ? new BuildProgress(ctx.out) : undefined;
  let imageId = '';
  try {
    await readJsonStream(res, (m) => {
      if (m.aux !== undefined && typeof (m.aux as { ID?: unknown }).ID === 'string') imageId = (m.aux as { ID: string }).ID;
      if (m.errorDetail !== undefined) return;
      const text = m.stream ?? '';
      if (progress) progress.stream(text);
      else ctx.out(text);
    });
  } catch (err) {
    progress?.failed();
    throw err;
  }
  if (flags.string('iidfile') !== '') writeFileSync(flags.string('iidfile'), imageId);
  return 0;
}

export const buildCommand: CommandDef = {
  name: 'build',
  usage: 'build [OPTIONS] PATH | URL | -',
  flags: [
    { name: 'tag', short: 't', type: 'list' },
    { name: 'file', short: 'f', type: 'string' },
    { name: 'build-arg', type: 'list' },
    { name: 'label', type: 'list' },
    { name: 'target', type: 'string' },
    { name: 'no-cache', type: 'bool' },
    { name: 'quiet', short: 'q', type: 'bool' },
    { name: 'rm', type: 'bool' },
    { name: 'force-rm', type: 'bool' },
    { name: 'pull', type: 'bool' },
    { name: 'network', type: 'string' },
    { name: 'platform', type: 'string' },
    { name: 'iidfile', type: 'string' },
    { name: 'cache-from', type: 'list' },
    { name: 'squash', type: 'bool', unsupported: true },
  ],
  args: { min: 1, max: 1 },
  run: build,
};

