import { invalidParameter } from '../base/engine-error.js';
import { parseFrom } from './build-stages.js';
import { parseDockerfile, type Instruction, type ParsedDockerfile } from './dockerfile-parser.js';
import { splitKeepingQuotes } from './instruction-plan.js';

/**
 * The checks dockerd makes on the whole Dockerfile before the first step runs, so that a typo
 * on line 40 fails the build at once, worded and prefixed as dockerd 20.10 words them:
 * the parser's own errors as "failed to parse Dockerfile: …" (ENV/LABEL pairs) and the
 * per-instruction ones as "dockerfile parse error line N: …" (flags, FROM, SHELL, ONBUILD,
 * COPY/ADD arguments). Pure.
 */
const FLAGS: Record<string, readonly string[]> = {
  from: ['platform'],
  copy: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  add: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
  run: ['network'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

const parserError = (msg: string) => invalidParameter(`failed to parse Dockerfile: ${msg}`);
const lineError = (inst: Instruction, msg: string) => invalidParameter(`dockerfile parse error line ${inst.line}: ${msg}`);

/** ENV/LABEL: `k=v …` pairs or the legacy `k value` form, as dockerd's parseNameVal splits them. */
function checkPairs(inst: Instruction, escape: string): void {
  const name = inst.keyword.toUpperCase();
  const words = splitKeepingQuotes(inst.args, escape);
  const first = words[0];
  if (first === undefined) return; // "requires at least one argument" comes from the parser
  if (!first.includes('=')) {
    if (words.length < 2) throw parserError(`${name} must have two arguments`);
    return;
  }
  for (const w of words) {
    if (!w.includes('=') || w.startsWith('=')) throw parserError(`Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`);
  }
}

function checkInstruction(inst: Instruction, escape: string, inOnbuild = false): void {
  const allowed = FLAGS[inst.keyword] ?? [];
  for (const f of inst.flags) {
    const name = /^--([^=]*)/.exec(f)?.[1] ?? '';
    if (!allowed.includes(name)) throw lineError(inst, `Unknown flag: ${name}`);
  }
  switch (inst.keyword) {
    case 'from':
      try {
        parseFrom(inst);
      } catch (err) {
        throw lineError(inst, (err as Error).message);
      }
      break;
    case 'shell':
      if (!inst.json || inst.json.length === 0) throw lineError(inst, 'SHELL requires the arguments to be in JSON form');
      break;
    case 'copy':
    case 'add': {
      const words = inst.json ?? inst.args.split(/[ \t\r\n\v\f]+/).filter(Boolean);
      if (words.length < 2) throw lineError(inst, `${inst.keyword.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      break;
    }
    case 'onbuild': {
      const trigger = (/^\S+/.exec(inst.args)?.[0] ?? '').toUpperCase();
      if (trigger === 'ONBUILD') throw lineError(inst, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER') throw lineError(inst, `${trigger} isn't allowed as an ONBUILD trigger`);
      if (!inOnbuild) {
        const inner = parseDockerfile(inst.args).instructions[0];
        if (inner) checkInstruction({ ...inner, line: inst.line }, escape, true);
      }
      break;
    }
    default:
      break;
  }
}

export function validateDockerfile(parsed: ParsedDockerfile): void {
  if (parsed.instructions.length === 0) throw parserError('file with no instructions');
  for (const inst of parsed.instructions) if (inst.keyword === 'env' || inst.keyword === 'label') checkPairs(inst, parsed.escape);
  for (const inst of parsed.instructions) checkInstruction(inst, parsed.escape);
}
