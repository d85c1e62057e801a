import { invalidParameter } from '../base/engine-error.js';
import type { Instruction, ParsedDockerfile } from './dockerfile-parser.js';

/**
 * Splits parsed instructions into meta ARGs (before the first FROM) and stages, applies
 * `--target` (legacy builder: every stage up to the target is built) and appends the `--label`
 * LABEL instruction to the last stage, as dockerd does. Pure.
 */
export interface Stage {
  from: Instruction;
  /** `FROM x AS name`, lower-cased; "" when unnamed. */
  name: string;
  image: string;
  platform: string;
  commands: Instruction[];
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

export function planStages(parsed: ParsedDockerfile, opts: { target?: string; labels?: Record<string, string> } = {}): BuildPlan {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const inst of parsed.instructions) {
    if (inst.keyword === 'from') {
      const f = parseFrom(inst);
      if (f.name !== '' && stages.some((s) => s.name === f.name)) throw invalidParameter(`duplicate name ${f.name}`);
      stages.push({ from: inst, ...f, commands: [] });
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
  const label = labelInstruction(opts.labels ?? {});
  if (label) kept[kept.length - 1]?.commands.push(label);
  const total = metaArgs.length + kept.length + kept.reduce((n, s) => n + s.commands.length, 0);
  return { metaArgs, stages: kept, total };
}
