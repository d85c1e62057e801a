import { invalidParameter } from '../base/engine-error.js';
import type { Instruction, ParsedDockerfile } from './dockerfile-parser.js';

/**
 * Splits parsed instructions into meta ARGs (before the first FROM) and stages, applies
 * `--target`, keeps only the stages the target needs (its FROM and `COPY --from` chain, as
 * BuildKit does; the legacy builder built every stage up to the target) and appends the
 * `--label` LABEL instruction to the last stage, as dockerd does. Pure.
 */
export interface Stage {
  from: Instruction;
  /** `FROM x AS name`, lower-cased; "" when unnamed. */
  name: string;
  image: string;
  platform: string;
  commands: Instruction[];
  /** Position in the Dockerfile (what `COPY --from=<n>` names), kept when stages are skipped. */
  index: number;
  /** Its name was used by an earlier stage: dockerd fails when it reaches this FROM. */
  duplicate?: boolean;
}

export interface BuildPlan {
  metaArgs: Instruction[];
  stages: Stage[];
  /** Number of "Step n/N" lines. */
  total: number;
}

export function parseFrom(inst: Instruction): { image: string; name: string; platform: string } {
  let platform = '';
  for (const f of inst.flags) {
    const m = /^--platform=(.*)$/.exec(f);
    if (!m) throw invalidParameter(`Unknown flag: ${f.replace(/^--/, '').replace(/=.*$/, '')}`);
    platform = m[1] ?? '';
  }
  const words = inst.args.split(/\s+/).filter(Boolean);
  if (words.length === 3 && (words[1] ?? '').toLowerCase() === 'as') {
    const name = (words[2] ?? '').toLowerCase();
    if (!/^[a-z][a-z0-9-_.]*$/.test(name)) throw invalidParameter(`invalid name for build stage: "${words[2] ?? ''}", name can't start with a number or contain symbols`);
    return { image: words[0] ?? '', name, platform };
  }
  if (words.length !== 1) throw invalidParameter('FROM requires either one or three arguments');
  return { image: words[0] ?? '', name: '', platform };
}

/** `LABEL "k"='v' …` for `--label`s, keys sorted, as dockerd's NodeFromLabels writes it. */
export function labelInstruction(labels: Record<string, string>): Instruction | undefined {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return undefined;
  const args = keys.map((k) => `${JSON.stringify(k)}='${labels[k] ?? ''}'`).join(' ');
  return { keyword: 'label', original: `LABEL ${args}`, line: 0, flags: [], args, heredocs: [] };
}

export interface PlanOptions {
  target?: string;
  labels?: Record<string, string>;
  /** Expands meta args in FROM lines (to see which stage a `FROM $X` names); identity by default. */
  expand?: (word: string) => string;
}

/**
 * The stages the last one needs, by index. A `COPY --from` whose value has a variable could name
 * any earlier stage: then all earlier stages are kept, never guessed away.
 */
export function neededStages(stages: readonly Stage[], expand: (word: string) => string = (w) => w): Set<number> {
  const byName = (ref: string, before: number): number | undefined => {
    const r = ref.toLowerCase();
    const named = stages.findIndex((s, i) => i < before && s.name !== '' && s.name === r);
    if (named >= 0) return named;
    if (/^\d+$/.test(r) && Number(r) < before) return Number(r);
    return undefined;
  };
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    const s = stages[i];
    if (!s) return;
    const base = byName(expand(s.image), i);
    if (base !== undefined) visit(base);
    for (const c of s.commands) {
      for (const f of c.flags) {
        const m = /^--from=(.*)$/s.exec(f);
        if (!m || (c.keyword !== 'copy' && c.keyword !== 'add')) continue;
        const ref = m[1] ?? '';
        if (ref.includes('$')) for (let j = 0; j < i; j++) visit(j);
        else {
          const dep = byName(ref, i);
          if (dep !== undefined) visit(dep);
        }
      }
    }
  };
  visit(stages.length - 1);
  return needed;
}

export function planStages(parsed: ParsedDockerfile, opts: PlanOptions = {}): BuildPlan {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const inst of parsed.instructions) {
    if (inst.keyword === 'from') {
      const f = parseFrom(inst);
      const duplicate = f.name !== '' && stages.some((s) => s.name === f.name);
      stages.push({ from: inst, ...f, commands: [], index: stages.length, ...(duplicate ? { duplicate } : {}) });
      continue;
    }
    const cur = stages[stages.length - 1];
    if (cur === undefined) {
      if (inst.keyword !== 'arg') throw invalidParameter('no build stage in current context');
      metaArgs.push(inst);
      continue;
    }
    cur.commands.push(inst);
  }
  if (stages.length === 0) throw invalidParameter('no build stage in current context');
  let kept = stages;
  if (opts.target) {
    const i = stages.findIndex((s) => s.name === opts.target?.toLowerCase());
    if (i < 0) throw invalidParameter(`failed to reach build target ${opts.target} in Dockerfile`);
    kept = stages.slice(0, i + 1);
  }
  // With a duplicated name, which stage a reference means is unclear: build them all (and fail).
  if (!kept.some((s) => s.duplicate)) {
    const needed = neededStages(kept, opts.expand);
    kept = kept.filter((s) => needed.has(s.index));
  }
  const label = labelInstruction(opts.labels ?? {});
  if (label) kept[kept.length - 1]?.commands.push(label);
  const total = metaArgs.length + kept.length + kept.reduce((n, s) => n + s.commands.length, 0);
  return { metaArgs, stages: kept, total };
}
