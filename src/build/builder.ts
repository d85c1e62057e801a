import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { invalidParameter, isEngineError, notFound } from '../base/engine-error.js';
import { shortId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import type { ContainerService } from '../container/container-service.js';
import { layeredReader } from '../container/start-preparer.js';
import { resolveUser } from '../container/user-lookup.js';
import { commitLayer } from '../image/commit.js';
import { entriesOf } from '../image/commit-container.js';
import type { ContainerConfigFields, ImageRecord } from '../image/image-config.js';
import type { ImageStore } from '../image/image-store.js';
import { familiarString, parseNormalizedReference, withDefaultTag } from '../image/reference.js';
import { realDiffFs, upperChanges } from '../storage/layer-diff.js';
import type { TarEntry } from '../storage/layer-diff-tar.js';
import type { LayerStore } from '../storage/layer-store.js';
import { BuildArgs } from './build-args.js';
import { BuildCache, cacheKey } from './build-cache.js';
import { openBuildContext, type BuildContext } from './build-context.js';
import { planStages, type Stage } from './build-stages.js';
import { downloadUrl, extractArchive, sniffArchive } from './add-sources.js';
import { copyEntries, selectSources, sourceHash, type CopyItem } from './copy-step.js';
import { parseDockerfile, type Instruction } from './dockerfile-parser.js';
import { validateDockerfile } from './dockerfile-validate.js';
import { nopCommentString, planInstruction, processWord, shellOf, type StageState, type StepPlan } from './instruction-plan.js';
import { LayeredFs } from './layered-fs.js';
import { createStepContainer, removeStepContainer, runStepContainer, StepFailed } from './run-step.js';

import type { ContainerRecord } from '../container/container-record.js';
import { idShiftFor, type IdMap } from '../container/id-mapping.js';
import { unshiftEntries } from '../image/unshift-entries.js';

export { StepFailed } from './run-step.js';

export interface BuilderDeps {
  containers: ContainerService;
  images: ImageStore;
  layers: LayerStore;
  /** A private temp dir on the data root's filesystem (emptied at startup). */
  tmpDir: string;
  /** The user-namespace mapping a step container ran with: its upper dir then holds host ids. */
  idMapOf?: (rec: ContainerRecord) => IdMap | undefined;
  log: Logger;
}

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Map<string, string | undefined>;
  labels: Record<string, string>;
  target: string;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  networkMode: string;
  /**
   * Seconds; from the SOURCE_DATE_EPOCH build arg (BuildKit's spelling; `skiff build` also
   * forwards its own environment's). Pins every created time and clamps layer mtimes, and drops
   * the build container's ID from the config, so two builds of one context give one image ID.
   */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
}

export interface BuildOutput {
  stream(text: string): void;
  aux(value: Record<string, unknown>): void;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface CopySources {
  src: LayeredFs;
  items: CopyItem[];
  fromId: string;
  /** ADD sources from the context that are unpacked when they are tar archives. */
  unpack: CopyItem[];
  /** The build's work dir (beside the context), where archives are unpacked and downloads land. */
  root: string;
}

interface Current extends StageState {
  image: ImageRecord | undefined;
}

/**
 * Docker's legacy builder: every instruction becomes an image (metadata steps with an empty
 * layer), RUN runs in a real container whose upper dir is committed, COPY/ADD layers are packed
 * straight from the context, and each step is looked up in the build cache first.
 */
export class Builder {
  private readonly cache: BuildCache;

  constructor(private readonly deps: BuilderDeps) {
    this.cache = new BuildCache(deps.images.records.db, (id) => deps.images.records.get(id)?.parentId);
  }

  /** Resolves the tags up front: a bad tag fails the request before the context is read. */
  static normalizeTags(tags: readonly string[]): string[] {
    return tags.map((t) => {
      const ref = parseNormalizedReference(t);
      if (ref.digest !== undefined) throw invalidParameter(`invalid reference format`);
      return familiarString(withDefaultTag(ref));
    });
  }

  /** Reads the context and the Dockerfile; errors here come before any output. */
  async prepare(input: Readable, opts: BuildOptions): Promise<{ ctx: BuildContext; stages: Stage[]; metaArgs: Instruction[]; total: number; escape: string; warnings: string[] }> {
    const ctx = await openBuildContext(input, this.deps.tmpDir, opts.dockerfile, opts.signal);
    try {
      const parsed = parseDockerfile(ctx.dockerfile);
      validateDockerfile(parsed);
      // Meta args as FROM lines will see them, to tell which stage a `FROM $X` names.
      const probe = new BuildArgs(opts.buildArgs);
      for (const inst of parsed.instructions.slice(0, Math.max(0, parsed.instructions.findIndex((i) => i.keyword === 'from')))) {
        if (inst.keyword === 'arg') declareMetaArgs(probe, inst, parsed.escape);
      }
      const expand = (w: string) => {
        try {
          return processWord(w, probe.metaEnv(), parsed.escape);
        } catch {
          return w;
        }
      };
      const plan = planStages(parsed, { target: opts.target, labels: opts.labels, expand });
      return { ctx, ...plan, escape: parsed.escape, warnings: parsed.warnings };
    } catch (err) {
      await ctx.remove();
      throw err;
    }
  }

  async build(prepared: Awaited<ReturnType<Builder['prepare']>>, opts: BuildOptions, out: BuildOutput): Promise<ImageRecord> {
    const { ctx, stages, metaArgs, total, escape, warnings } = prepared;
    try {
      if (warnings.length > 0) out.stream(`\u001b[91m${warnings.join('')}[WARNING]: Empty continuation lines will become errors in a future release.\n\u001b[0m`);
      let step = 0;
      const stepLine = (inst: Instruction) => out.stream(`Step ${++step}/${total} : ${inst.original}\n`);
      const args = new BuildArgs(opts.buildArgs);
      for (const inst of metaArgs) {
        stepLine(inst);
        declareMetaArgs(args, inst, escape);
      }
      const results = new Map<string, ImageRecord | undefined>();
      let last: ImageRecord | undefined;
      for (const stage of stages) {
        if (stage.duplicate) throw invalidParameter('a stage name already used');
        stepLine(stage.from);
        args.beginStage();
        const base = this.resolveBase(processWord(stage.image, args.metaEnv(), escape), results);
        const config: ContainerConfigFields = structuredClone(base?.config.config ?? {});
        if (!(config.Env ?? []).some((e) => e.startsWith('PATH='))) config.Env = [...(config.Env ?? []), DEFAULT_PATH];
        const cur: Current = { config, args, escape, cmdSet: false, image: base };
        const triggers = config.OnBuild ?? [];
        if (triggers.length > 0) {
          out.stream(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}\n`);
          config.OnBuild = null;
          for (const t of triggers) for (const inst of parseDockerfile(t).instructions) await this.step(inst, cur, ctx, opts, out, results);
        }
        out.stream(` ---> ${base ? shortId(base.id) : ''}\n`);
        for (const inst of stage.commands) {
          opts.signal?.throwIfAborted();
          stepLine(inst);
          await this.step(inst, cur, ctx, opts, out, results);
          out.stream(` ---> ${cur.image ? shortId(cur.image.id) : ''}\n`);
        }
        if (cur.image) out.aux({ ID: cur.image.id });
        results.set(String(stage.index), cur.image);
        if (stage.name) results.set(stage.name, cur.image);
        last = cur.image;
      }
      const unused = args.unconsumed();
      if (unused.length > 0) out.stream(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
      if (!last) throw invalidParameter('No image was generated. Is your Dockerfile empty?');
      out.stream(`Successfully built ${shortId(last.id)}\n`);
      for (const t of opts.tags) {
        this.deps.images.tag(last.id, t);
        out.stream(`Successfully tagged ${t}\n`);
      }
      return last;
    } finally {
      await ctx.remove();
      await fsp.rm(workDirOf(ctx), { recursive: true, force: true });
    }
  }

  private resolveBase(name: string, results: Map<string, ImageRecord | undefined>): ImageRecord | undefined {
    const lower = name.toLowerCase();
    if (results.has(lower)) return results.get(lower);
    if (lower === 'scratch') return undefined;
    try {
      return this.deps.images.resolve(name);
    } catch (err) {
      if (!isEngineError(err, 'NotFound')) throw err;
      let shown = name;
      try {
        shown = familiarString(parseNormalizedReference(name)).replace(/:[^/:]*$/, '');
      } catch {
        throw invalidParameter(`invalid reference format: repository name must be lowercase`);
      }
      throw notFound(`pull access denied for ${shown}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
    }
  }

  /** One instruction: from the cache, or executed and recorded. */
  private async step(inst: Instruction, cur: Current, ctx: BuildContext, opts: BuildOptions, out: BuildOutput, results: Map<string, ImageRecord | undefined>): Promise<void> {
    const plan = planInstruction(inst, cur);
    const parent = cur.image?.id ?? '';
    let copy: CopySources | undefined;
    let createdBy = plan.createdBy;
    const extra: Record<string, string> = { author: cur.maintainer ?? '' };
    if (opts.sourceDateEpoch !== undefined) extra['sourceDateEpoch'] = String(opts.sourceDateEpoch);
    if (plan.kind === 'copy') {
      let src = new LayeredFs([ctx.dir]);
      let fromId = '';
      if (plan.from) {
        const img = results.has(plan.from.toLowerCase()) ? results.get(plan.from.toLowerCase()) : this.resolveBase(plan.from, results);
        fromId = img?.id ?? 'scratch';
        src = new LayeredFs(img ? this.deps.images.layerDirs(img.id) : []);
      }
      // ADD <url>: downloaded first (the cache keys on what was fetched), then copied as a file.
      const urls: string[] = [];
      const items: CopyItem[] = [];
      const downloaded = new Set<CopyItem>();
      for (const s of plan.sources) {
        if (plan.add && /^https?:\/\//i.test(s)) {
          const got = await downloadUrl(s, workDirOf(ctx), plan.checksum, opts.signal);
          urls.push(got.sha256);
          const fs = new LayeredFs([got.dir]);
          const found = await fs.lstat(got.name);
          if (!found) throw invalidParameter(`ADD failed: download of ${s} vanished`);
          const item: CopyItem = { rel: got.name, stat: found.stat, host: found.host, fs };
          downloaded.add(item);
          items.push(item);
        } else items.push(...(await selectSources(src, [s], plan.name)));
      }
      if (plan.checksum !== '' && urls.length === 0) throw invalidParameter("checksum can't be specified for non-HTTP(S) sources");
      if (items.length === 0 && plan.heredocs.length === 0) throw invalidParameter(`${plan.name} failed: no source files were specified`);
      const hash = urls.length === 1 && plan.sources.length === 1 && plan.heredocs.length === 0 ? (urls[0] as string) : await sourceHash(src, items, plan.heredocs);
      // No space after the --chown value: dockerd 20.10 writes it that way.
      createdBy = nopCommentString(cur.config, `${plan.name} ${plan.chown ? `--chown=${plan.chown}` : ''}${hash} in ${plan.dest} `);
      Object.assign(extra, { chown: plan.chown, chmod: plan.chmod, from: fromId, dest: plan.dest, workdir: cur.config.WorkingDir ?? '' });
      copy = { src, items, fromId, unpack: plan.add && fromId === '' ? items.filter((it) => it.stat.isFile() && !downloaded.has(it)) : [], root: workDirOf(ctx) };
    }
    const key = cacheKey({ parent, createdBy, config: cur.config, extra });
    if (!opts.noCache) {
      const hit = this.cache.get(key, parent);
      if (hit) {
        out.stream(' ---> Using cache\n');
        cur.image = this.deps.images.get(hit);
        return;
      }
    }
    const image = await this.execute(plan, createdBy, cur, opts, out, copy);
    this.cache.put(key, parent, image.id);
    cur.image = image;
  }

  private async execute(
    plan: StepPlan,
    createdBy: string,
    cur: Current,
    opts: BuildOptions,
    out: BuildOutput,
    copy: CopySources | undefined,
  ): Promise<ImageRecord> {
    const { containers } = this.deps;
    const lowers = cur.image ? this.deps.images.layerDirs(cur.image.id) : [];
    const epoch = opts.sourceDateEpoch;
    const now = epoch ?? Math.floor(Date.now() / 1000);
    const commit = async (entries: readonly TarEntry[], containerId?: string) =>
      (
        await commitLayer(this.deps, {
          parent: cur.image,
          entries: epoch === undefined ? entries : clampMtimes(entries, epoch),
          config: structuredClone(cur.config),
          createdBy,
          author: cur.maintainer,
          ...(epoch === undefined ? { containerId } : { created: new Date(epoch * 1000).toISOString() }),
          signal: opts.signal,
        })
      ).image;

    if (plan.kind === 'copy' && copy) {
      const uidgid = plan.chown ? resolveUser(plan.chown, layeredReader(lowers)) : { uid: 0, gid: 0 };
      // ADD of a local tar archive: unpacked at the destination instead of copied.
      const items: CopyItem[] = [];
      for (const it of copy.items) {
        const kind = copy.unpack.includes(it) ? await sniffArchive(it.host) : undefined;
        if (kind === undefined) {
          items.push(it);
          continue;
        }
        const fs = new LayeredFs([await extractArchive(it.host, kind, it.rel, copy.root, opts.signal)]);
        const found = await fs.lstat('');
        if (found) items.push({ rel: '', stat: found.stat, host: found.host, archive: true, fs });
      }
      const entries = await copyEntries(copy.src, items, { name: plan.name, sources: plan.sources, dest: plan.dest, workdir: cur.config.WorkingDir ?? '', heredocs: plan.heredocs, chmod: plan.chmod, keepOwners: copy.fromId !== '' && !plan.chown }, {
        image: new LayeredFs(lowers),
        uid: uidgid.uid,
        gid: uidgid.gid,
        now,
      });
      return commit(entries);
    }
    if (!cur.image) {
      if (plan.kind === 'run') throw invalidParameter(`The command '${plan.cmd.join(' ')}' cannot run: the image has no files (FROM scratch)`);
      return commit(plan.kind === 'workdir' ? await workdirEntries(new LayeredFs(lowers), plan.dir, now) : []);
    }
    const image = cur.image;
    // Metadata steps get a container too (Docker prints "Running in" for them); it never starts.
    const shell = shellOf(cur.config);
    const cmd = plan.kind === 'run' ? plan.cmd : [...shell, createdBy.slice(shell.join(' ').length + 1)];
    const id = await createStepContainer(containers, image, cur.config, cmd, plan.kind === 'run' ? plan.env : cur.config.Env ?? [], opts.networkMode, out);
    let ok = false;
    try {
      let result: ImageRecord;
      if (plan.kind === 'run') {
        const code = await runStepContainer(containers, id, out, opts.signal);
        if (code !== 0) throw new StepFailed(`The command '${plan.cmd.join(' ')}' returned a non-zero code: ${code}`, code);
        const idMap = this.deps.idMapOf?.(containers.resolve(id));
        const entries = entriesOf(await upperChanges(containers.paths(id).upper, lowers, realDiffFs, idMap ? idShiftFor(idMap) : undefined));
        result = await commit(idMap ? unshiftEntries(entries, idMap) : entries, id);
      } else if (plan.kind === 'workdir') {
        result = await commit(await workdirEntries(new LayeredFs(lowers), plan.dir, now), id);
      } else result = await commit([], id);
      ok = true;
      return result;
    } finally {
      // As dockerd: rm (the default) removes after a good step, forcerm always; a failed step's
      // container is kept for inspection unless forcerm. An aborted build leaves nothing.
      const remove = ok ? opts.rm || opts.forceRm : opts.forceRm || opts.signal?.aborted === true;
      if (remove) await removeStepContainer(containers, id, ok ? out : undefined).catch((err: unknown) => this.deps.log.warn('could not remove build container', { id, err }));
    }
  }
}

/** Beside the context dir (so `COPY .` never sees it), in the same private temp dir. */
const workDirOf = (ctx: BuildContext) => `${ctx.dir}.work`;

function declareMetaArgs(args: BuildArgs, inst: Instruction, escape: string): void {
  for (const w of inst.args.split(/\s+/).filter(Boolean)) {
    const i = w.indexOf('=');
    args.declareMeta(i < 0 ? w : w.slice(0, i), i < 0 ? undefined : processWord(w.slice(i + 1), args.metaEnv(), escape));
  }
}

/** WORKDIR makes its directory (0755 root) when the image lacks it: then the step has a layer. */
async function workdirEntries(image: LayeredFs, dir: string, now: number): Promise<TarEntry[]> {
  const parts = dir.split('/').filter(Boolean);
  const entries: TarEntry[] = [];
  let missing = false;
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    const found = await image.lstat(p);
    if (found && !found.stat.isDirectory()) throw invalidParameter(`mkdir /${p}: not a directory`);
    if (found) {
      const st = found.stat;
      entries.push({ name: p, type: 'directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) });
    } else {
      missing = true;
      entries.push({ name: p, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: now });
    }
  }
  return missing ? entries : [];
}

/** SOURCE_DATE_EPOCH builds: no layer entry is newer than the epoch (BuildKit's rewrite-timestamp). */
export function clampMtimes(entries: readonly TarEntry[], epoch: number): TarEntry[] {
  return entries.map((e) => (e.mtime > epoch ? { ...e, mtime: epoch } : e));
}
