import { posix } from 'node:path';
import { invalidParameter } from '../base/engine-error.js';
import { applyChanges } from '../image/change-instructions.js';
import type { ContainerConfigFields } from '../image/image-config.js';
import type { BuildArgs } from './build-args.js';
import type { Heredoc, Instruction } from './dockerfile-parser.js';
import { goDuration, goQuote, goQuoteSlice, goSlice } from './go-format.js';
import { envMapOf, processWord as lexWord } from './shell-lex.js';

/** Word expansion as the legacy builder does it, its errors worded as dockerd wraps them. */
export function processWord(word: string, env: ReadonlyMap<string, string>, escape: string): string {
  try {
    return lexWord(word, env, escape, { legacy: true });
  } catch (err) {
    throw invalidParameter(`failed to process ${goQuote(word)}: ${(err as Error).message}`);
  }
}

/**
 * One Dockerfile instruction evaluated against a stage's state, as Docker's legacy builder
 * dispatches it. Metadata instructions update `state.config` and say what to record; RUN,
 * COPY/ADD and WORKDIR say what the executor must do. Pure: no I/O.
 */
export interface StageState {
  config: ContainerConfigFields;
  args: BuildArgs;
  escape: string;
  /** CMD was set in this stage (a later ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  maintainer?: string;
}

export type StepPlan =
  | { kind: 'meta'; createdBy: string }
  | { kind: 'workdir'; dir: string; createdBy: string }
  | { kind: 'run'; cmd: string[]; createdBy: string; env: string[]; argsEscaped: boolean }
  | { kind: 'copy'; add: boolean; sources: string[]; dest: string; chown: string; chmod: string; from: string; checksum: string; heredocs: Heredoc[]; name: string; createdBy: string };

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export const shellOf = (c: ContainerConfigFields): string[] => (c.Shell && c.Shell.length > 0 ? c.Shell : DEFAULT_SHELL);

/** `[shell…, "#(nop) ", comment]` joined: Docker's history text for metadata steps (two spaces). */
export const nopComment = (c: ContainerConfigFields, comment: string): string => [...shellOf(c), '#(nop) ', comment].join(' ');
/** `[shell…, "#(nop) " + comment]`: WORKDIR and COPY/ADD (one space). */
export const nopCommentString = (c: ContainerConfigFields, comment: string): string => [...shellOf(c), `#(nop) ${comment}`].join(' ');

/** The environment variables are expanded against: ENV first, then usable build args. */
export function expansionEnv(state: StageState): Map<string, string> {
  const env = envMapOf(state.config.Env ?? []);
  for (const kv of state.args.allowed(new Set(env.keys()))) {
    const i = kv.indexOf('=');
    env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return env;
}

/** Splits on unquoted whitespace, keeping quotes and escapes for a later processWord (parseWords). */
export function splitKeepingQuotes(s: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (quote === '' && /\s/.test(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    if (ch === escape && quote !== "'" && i + 1 < s.length) {
      cur += ch + (s[i + 1] as string);
      i++;
      continue;
    }
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (quote === ch) quote = '';
    cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** ENV/LABEL/ARG pairs: `k=v k2="v 2"` or the legacy `k value with spaces`. Values expanded. */
export function keyValuePairs(inst: Instruction, env: ReadonlyMap<string, string>, escape: string, legacyAllowed = true): Array<[string, string]> {
  const name = inst.keyword.toUpperCase();
  const words = splitKeepingQuotes(inst.args, escape);
  const first = words[0];
  if (first === undefined) throw invalidParameter(`${name} requires at least one argument`);
  if (!first.includes('=') && legacyAllowed) {
    if (words.length < 2) throw invalidParameter(`${name} must have two arguments`);
    const rest = inst.args.slice(inst.args.indexOf(first) + first.length).trim();
    return [[processWord(first, env, escape), processWord(rest, env, escape)]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalidParameter(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [processWord(w.slice(0, i), env, escape), processWord(w.slice(i + 1), env, escape)];
  });
}

/** `--name=value` flags checked against what the instruction accepts. */
export function readFlags(inst: Instruction, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of inst.flags) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(f);
    const name = m?.[1] ?? '';
    if (!allowed.includes(name)) throw invalidParameter(`Unknown flag: ${name}`);
    out.set(name, m?.[2] ?? 'true');
  }
  return out;
}

function setEnv(env: readonly string[], key: string, value: string): string[] {
  const out = env.filter((e) => (e.indexOf('=') < 0 ? e : e.slice(0, e.indexOf('='))) !== key);
  // Docker replaces in place when the key exists; keep its position.
  const at = env.findIndex((e) => e.slice(0, e.indexOf('=')) === key);
  if (at >= 0) {
    const copy = [...env];
    copy[at] = `${key}=${value}`;
    return copy;
  }
  return [...out, `${key}=${value}`];
}

/** The shell-form or exec-form command of RUN/CMD/ENTRYPOINT. */
function commandLine(inst: Instruction, config: ContainerConfigFields): { cmd: string[]; argsEscaped: boolean } {
  if (inst.json) return { cmd: inst.json, argsEscaped: false };
  let text = inst.args;
  if (inst.keyword === 'run' && inst.heredocs.length > 0) {
    const only = inst.heredocs[0];
    // `RUN <<EOF` alone runs the heredoc as the script; otherwise the shell reads the heredocs itself.
    if (inst.heredocs.length === 1 && only && /^<<-?["']?[A-Za-z_][A-Za-z0-9_.-]*["']?$/.test(text.trim())) text = only.content;
    else text = [text, ...inst.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
  }
  return { cmd: [...shellOf(config), text], argsEscaped: false };
}

function healthcheckText(hc: NonNullable<ContainerConfigFields['Healthcheck']>): string {
  const d = (v: number | undefined) => goQuote(goDuration(v ?? 0));
  return `&{${goQuoteSlice(hc.Test)} ${d(hc.Interval)} ${d(hc.Timeout)} ${d(hc.StartPeriod)} '\\x${(hc.Retries ?? 0).toString(16).padStart(2, '0')}'}`;
}

/** Evaluates one instruction (not FROM) of a stage. */
export function planInstruction(inst: Instruction, state: StageState): StepPlan {
  const c = state.config;
  const esc = state.escape;
  const env = () => expansionEnv(state);
  const nop = (comment: string): StepPlan => ({ kind: 'meta', createdBy: nopComment(c, comment) });
  switch (inst.keyword) {
    case 'env': {
      readFlags(inst, []);
      const pairs = keyValuePairs(inst, env(), esc);
      for (const [k, v] of pairs) c.Env = setEnv(c.Env ?? [], k, v);
      return nop(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'label': {
      readFlags(inst, []);
      const pairs = keyValuePairs(inst, env(), esc);
      c.Labels = { ...(c.Labels ?? {}) };
      for (const [k, v] of pairs) c.Labels[k] = v;
      return nop(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'maintainer':
      state.maintainer = inst.args;
      return nop(`MAINTAINER ${inst.args}`);
    case 'expose': {
      const e = env();
      // dockerd sorts the words as written (before expansion) for the history text.
      const raw = inst.args.split(/\s+/).filter(Boolean).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const ports = raw.map((p) => processWord(p, e, esc));
      Object.assign(c, applyChanges(c, [`EXPOSE ${ports.join(' ')}`]));
      return nop(`EXPOSE ${ports.join(' ')}`);
    }
    case 'user':
      c.User = processWord(inst.args, env(), esc);
      return nop(`USER ${c.User}`);
    case 'volume': {
      const e = env();
      const vols = (inst.json ?? inst.args.split(/\s+/).filter(Boolean)).map((v) => processWord(v, e, esc));
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of vols) {
        if (v.trim() === '') throw invalidParameter('VOLUME specified can not be an empty string');
        c.Volumes[v] = {};
      }
      return nop(`VOLUME ${goSlice(vols)}`);
    }
    case 'stopsignal':
      c.StopSignal = processWord(inst.args, env(), esc);
      return nop(`STOPSIGNAL ${c.StopSignal}`);
    case 'cmd': {
      const { cmd } = commandLine(inst, c);
      c.Cmd = cmd;
      if (inst.json === undefined || inst.json.length > 0) state.cmdSet = true;
      return nop(`CMD ${goQuoteSlice(cmd)}`);
    }
    case 'entrypoint': {
      const { cmd } = inst.json ? { cmd: inst.json } : inst.args === '' ? { cmd: [] as string[] } : commandLine(inst, c);
      c.Entrypoint = cmd.length > 0 ? cmd : null;
      if (!state.cmdSet) c.Cmd = null;
      return nop(`ENTRYPOINT ${goQuoteSlice(c.Entrypoint)}`);
    }
    case 'shell': {
      if (!inst.json || inst.json.length === 0) throw invalidParameter('SHELL requires the arguments to be in JSON form');
      c.Shell = inst.json;
      return nop(`SHELL ${goSlice(c.Shell)}`);
    }
    case 'healthcheck': {
      Object.assign(c, applyChanges(c, [`HEALTHCHECK ${[...inst.flags, inst.args].join(' ')}`]));
      return nop(`HEALTHCHECK ${healthcheckText(c.Healthcheck ?? {})}`);
    }
    case 'onbuild': {
      const trigger = (/^\S+/.exec(inst.args)?.[0] ?? '').toUpperCase();
      if (trigger === 'ONBUILD') throw invalidParameter("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'FROM' || trigger === 'MAINTAINER') throw invalidParameter(`${trigger} isn't allowed as an ONBUILD trigger`);
      c.OnBuild = [...(c.OnBuild ?? []), inst.args];
      return nop(`ONBUILD ${inst.args}`);
    }
    case 'arg': {
      const e = env();
      const parts: string[] = [];
      for (const w of splitKeepingQuotes(inst.args, esc)) {
        const i = w.indexOf('=');
        const name = i < 0 ? w : w.slice(0, i);
        const value = i < 0 ? undefined : processWord(w.slice(i + 1), e, esc);
        state.args.declare(name, value);
        parts.push(value === undefined ? name : `${name}=${value}`);
      }
      return nop(`ARG ${parts.join(' ')}`);
    }
    case 'workdir': {
      const requested = processWord(inst.args, env(), esc);
      const dir = posix.isAbsolute(requested) ? posix.normalize(requested) : posix.join('/', c.WorkingDir || '/', requested);
      c.WorkingDir = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
      return { kind: 'workdir', dir: c.WorkingDir, createdBy: nopCommentString(c, `WORKDIR ${c.WorkingDir}`) };
    }
    case 'run': {
      readFlags(inst, ['network']);
      const { cmd, argsEscaped } = commandLine(inst, c);
      const envKeys = new Set(envMapOf(c.Env ?? []).keys());
      const argEnv = state.args.allowed(envKeys);
      let saved = cmd;
      if (argEnv.length > 0) {
        const shown = argEnv.filter((kv) => state.args.shownInHistory(kv.slice(0, kv.indexOf('=')))).sort();
        saved = [`|${shown.length}`, ...shown, ...cmd];
      }
      return { kind: 'run', cmd, createdBy: saved.join(' '), env: [...(c.Env ?? []), ...argEnv], argsEscaped };
    }
    case 'copy':
    case 'add': {
      const flags = readFlags(inst, inst.keyword === 'copy' ? ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'] : ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir']);
      const e = env();
      const words = inst.json ?? inst.args.split(/[ \t\r\n\v\f]+/).filter(Boolean);
      const expanded = words.map((w) => processWord(w, e, esc));
      if (expanded.length < 2) throw invalidParameter(`${inst.keyword.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      const dest = expanded[expanded.length - 1] as string;
      const heredocNames = new Set(inst.heredocs.map((h) => h.name));
      const sources = expanded.slice(0, -1).filter((s) => !/^<<-?/.test(s) || !heredocNames.has(s.replace(/^<<-?["']?|["']?$/g, '')));
      return {
        kind: 'copy',
        add: inst.keyword === 'add',
        sources,
        dest,
        chown: processWord(flags.get('chown') ?? '', e, esc),
        chmod: flags.get('chmod') ?? '',
        from: processWord(flags.get('from') ?? '', e, esc),
        checksum: processWord(flags.get('checksum') ?? '', e, esc),
        heredocs: inst.heredocs,
        name: inst.keyword.toUpperCase(),
        // Completed by the executor once the sources are hashed.
        createdBy: '',
      };
    }
    default:
      throw invalidParameter(`unknown instruction: ${inst.keyword.toUpperCase()}`);
  }
}
