import { parseTemplate, lineCol, type Arg, type Pipe, type TNode, type ControlNode, TemplateParseError } from './go-template-parse.js';
import { GoNil, GoNumber, GoObject, formatGo, marshalGo, type GoFunc, type GoValue } from './go-value.js';

export { TemplateParseError } from './go-template-parse.js';

/** An error while executing, already worded like Go's. */
export class TemplateExecError extends Error {}

export interface TemplateOptions {
  /** Go's Option("missingkey=error"): docker inspect sets it. */
  missingKeyError?: boolean;
}

class BreakSignal {}
class ContinueSignal {}

type Scope = { name: string; value: GoValue }[];

/** A parsed template, executable many times (once per row for ps/images). */
export class GoTemplate {
  private readonly nodes: TNode[];

  constructor(
    readonly source: string,
    private readonly options: TemplateOptions = {},
  ) {
    this.nodes = parseTemplate(source);
  }

  execute(data: GoValue): string {
    const out: string[] = [];
    const scope: Scope = [{ name: '$', value: data }];
    this.walk(this.nodes, data, scope, out);
    return out.join('');
  }

  private fail(pos: number, src: string, msg: string): never {
    throw new TemplateExecError(`template: :${lineCol(this.source, pos)}: executing "" at <${src}>: ${msg}`);
  }

  private walk(nodes: TNode[], dot: GoValue, scope: Scope, out: string[]): void {
    for (const node of nodes) {
      switch (node.t) {
        case 'text':
          out.push(node.text);
          break;
        case 'action': {
          const v = this.pipe(node.pipe, dot, scope);
          if (node.pipe.decls.length === 0) out.push(printValue(v));
          break;
        }
        case 'if':
        case 'with': {
          const depth = scope.length;
          const v = this.pipe(node.pipe, dot, scope);
          if (truth(v)) this.walk(node.list, node.t === 'with' ? v : dot, scope, out);
          else if (node.elseList) this.walk(node.elseList, dot, scope, out);
          scope.length = depth;
          break;
        }
        case 'range':
          this.range(node, dot, scope, out);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  private range(node: ControlNode, dot: GoValue, scope: Scope, out: string[]): void {
    const depth = scope.length;
    const decls = node.pipe.decls;
    const v = this.pipe({ ...node.pipe, decls: [] }, dot, scope);
    let items: [GoValue, GoValue][] = [];
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (v instanceof GoObject) {
      const keys = [...v.entries.keys()].sort();
      items = keys.map((k) => [k, v.entries.get(k) ?? null]);
    } else if (typeof v === 'number' || v instanceof GoNumber) {
      const n = typeof v === 'number' ? v : v.value;
      for (let i = 0; i < n; i++) items.push([i, i]);
    } else if (v !== null && !(v instanceof GoNil)) {
      this.fail(node.pipe.pos, node.pipe.cmds[0]?.args[0]?.src ?? '', `range can't iterate over ${formatGo(v)}`);
    }
    if (items.length === 0) {
      if (node.elseList) this.walk(node.elseList, dot, scope, out);
      return;
    }
    for (const [k, x] of items) {
      scope.length = depth;
      if (decls.length === 1) scope.push({ name: decls[0] ?? '', value: x });
      if (decls.length === 2) scope.push({ name: decls[0] ?? '', value: k }, { name: decls[1] ?? '', value: x });
      try {
        this.walk(node.list, x, scope, out);
      } catch (e) {
        if (e instanceof BreakSignal) break;
        if (!(e instanceof ContinueSignal)) throw e;
      }
    }
    scope.length = depth;
  }

  private pipe(pipe: Pipe, dot: GoValue, scope: Scope): GoValue {
    let value: GoValue | undefined;
    for (const cmd of pipe.cmds) value = this.command(cmd.args, dot, scope, value);
    const result = value ?? null;
    if (pipe.decls.length > 0) {
      const name = pipe.decls[0] ?? '';
      if (pipe.assign) {
        const slot = [...scope].reverse().find((s) => s.name === name);
        if (slot === undefined) this.fail(pipe.pos, name, `undefined variable: ${name}`);
        slot.value = result;
      } else scope.push({ name, value: result });
    }
    return result;
  }

  private command(args: Arg[], dot: GoValue, scope: Scope, piped: GoValue | undefined): GoValue {
    const [first, ...rest] = args;
    if (first === undefined) return null;
    const evalArgs = () => {
      const vals = rest.map((a) => this.arg(a, dot, scope));
      if (piped !== undefined) vals.push(piped);
      return vals;
    };
    if (first.t === 'ident') {
      const fn = FUNCS[first.name];
      if (fn === undefined) this.fail(first.pos, first.src, `function "${first.name}" not defined`);
      try {
        return fn(...evalArgs());
      } catch (e) {
        if (e instanceof TemplateExecError) throw e;
        this.fail(first.pos, first.src, `error calling ${first.name}: ${(e as Error).message}`);
      }
    }
    if (first.t === 'field' || first.t === 'var' || first.t === 'pipe') {
      const hasArgs = rest.length > 0 || piped !== undefined;
      const v = this.arg(first, dot, scope, hasArgs);
      if (typeof v === 'function') return v(...evalArgs());
      if (hasArgs) this.fail(first.pos, first.src, `can't give argument to non-function ${first.src}`);
      return v;
    }
    if (rest.length > 0 || piped !== undefined) this.fail(first.pos, first.src, `can't give argument to non-function ${first.src}`);
    return this.arg(first, dot, scope);
  }

  private arg(a: Arg, dot: GoValue, scope: Scope, keepFunc = false): GoValue {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'string':
        return a.value;
      case 'number':
        return a.value;
      case 'bool':
        return a.value;
      case 'nil':
        return null;
      case 'ident':
        return this.command([a], dot, scope, undefined);
      case 'field':
        return this.fields(dot, a.names, a, keepFunc);
      case 'var': {
        const slot = [...scope].reverse().find((s) => s.name === a.name);
        if (slot === undefined) this.fail(a.pos, a.src, `undefined variable: ${a.name}`);
        return this.fields(slot.value, a.names, a, keepFunc);
      }
      case 'pipe':
        return this.fields(this.pipe(a.pipe, dot, scope), a.names, a, keepFunc);
    }
  }

  private fields(start: GoValue, names: string[], a: Arg, keepFunc: boolean): GoValue {
    let v = start;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      if (v instanceof GoObject) {
        const found = v.entries.get(name);
        if (found === undefined) {
          if (v.typeName !== undefined) this.fail(a.pos, a.src, `can't evaluate field ${name} in type ${v.typeName}`);
          if (this.options.missingKeyError) this.fail(a.pos, a.src, `map has no entry for key "${name}"`);
          v = MISSING;
          return;
        }
        v = typeof found === 'function' && !(last && keepFunc) ? found() : found;
      } else if (v === MISSING || v === null || v instanceof GoNil) {
        if (v instanceof GoNil && v.kind === 'map') {
          if (this.options.missingKeyError) this.fail(a.pos, a.src, `map has no entry for key "${name}"`);
          v = MISSING;
          return;
        }
        this.fail(a.pos, a.src, `nil pointer evaluating ${describe(v)}.${name}`);
      } else {
        this.fail(a.pos, a.src, `can't evaluate field ${name} in type ${goTypeOf(v)}`);
      }
    });
    return v;
  }
}

/** The "<no value>" of a missing map key (an invalid reflect.Value in Go). */
const MISSING: GoValue = new GoNil('ptr');
const MISSING_TEXT = '<no value>';

function printValue(v: GoValue): string {
  return v === MISSING ? MISSING_TEXT : formatGo(v);
}

function describe(v: GoValue): string {
  return v === MISSING ? 'interface {}' : goTypeOf(v);
}

function goTypeOf(v: GoValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof GoNumber) return 'json.Number';
  if (Array.isArray(v)) return '[]interface {}';
  return 'interface {}';
}

export function truth(v: GoValue): boolean {
  if (v === null || v === MISSING || v instanceof GoNil) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoNumber) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoObject) return v.kind === 'struct' || v.entries.size > 0;
  return true;
}

function num(v: GoValue): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof GoNumber) return v.value;
  return undefined;
}

function compare(a: GoValue, b: GoValue): number {
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) return na === nb ? 0 : na < nb ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : 1;
  if ((a === null || a instanceof GoNil) && (b === null || b instanceof GoNil)) return 0;
  throw new Error('incompatible types for comparison');
}

function str(v: GoValue): string {
  return printValue(v);
}

function goTitle(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase());
}

const FUNCS: Record<string, GoFunc> = {
  json: (v) => marshalGo(v === MISSING ? null : v),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new Error('wrong type for value; expected []string');
    return list.map(str).join(str(sep ?? ''));
  },
  split: (s, sep) => str(s).split(str(sep)),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) => goTitle(str(s)),
  truncate: (s, n) => {
    const text = [...str(s)];
    const limit = num(n) ?? 0;
    return text.length > limit ? text.slice(0, limit).join('') : text.join('');
  },
  pad: (s, l, r) => ' '.repeat(num(l) ?? 0) + str(s) + ' '.repeat(num(r) ?? 0),
  len: (v) => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof GoObject) return v.entries.size;
    if (v instanceof GoNil) return 0;
    throw new Error(`len of type ${goTypeOf(v)}`);
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) {
        const i = num(k) ?? NaN;
        if (!(i >= 0 && i < cur.length)) throw new Error(`index out of range: ${str(k)}`);
        cur = cur[i] ?? null;
      } else if (cur instanceof GoObject) {
        cur = cur.entries.get(str(k)) ?? null;
      } else if (cur instanceof GoNil || cur === null) {
        cur = null;
      } else throw new Error(`can't index item of type ${goTypeOf(cur)}`);
    }
    return cur;
  },
  slice: (v, ...idx) => {
    const a = num(idx[0] ?? 0) ?? 0;
    const b = idx[1] === undefined ? undefined : num(idx[1]);
    if (typeof v === 'string') return v.slice(a, b);
    if (Array.isArray(v)) return v.slice(a, b);
    throw new Error(`can't slice item of type ${goTypeOf(v)}`);
  },
  eq: (a, ...bs) => bs.some((b) => compare(a, b) === 0),
  ne: (a, b) => compare(a, b) !== 0,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...vs) => vs.find((v) => !truth(v)) ?? vs[vs.length - 1] ?? null,
  or: (...vs) => vs.find((v) => truth(v)) ?? vs[vs.length - 1] ?? null,
  not: (v) => !truth(v),
  print: (...vs) => goSprint(vs),
  println: (...vs) => `${vs.map(str).join(' ')}\n`,
  printf: (fmt, ...vs) => sprintf(str(fmt), vs),
};

/** fmt.Sprint: spaces only between operands when neither is a string. */
function goSprint(vs: GoValue[]): string {
  let out = '';
  vs.forEach((v, i) => {
    if (i > 0 && typeof v !== 'string' && typeof vs[i - 1] !== 'string') out += ' ';
    out += str(v);
  });
  return out;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %t %f %x %X %%, flags, width, precision. */
export function sprintf(format: string, args: GoValue[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const v = args[n++] ?? null;
    let s: string;
    switch (verb) {
      case 'd': {
        const x = num(v);
        s = x === undefined ? `%!d(${goTypeOf(v)}=${str(v)})` : Math.trunc(x).toFixed(0);
        if (flags.includes('+') && (x ?? 0) >= 0) s = `+${s}`;
        break;
      }
      case 'f':
      case 'F': {
        const x = num(v);
        s = x === undefined ? `%!f(${goTypeOf(v)}=${str(v)})` : x.toFixed(prec === undefined ? 6 : Number(prec));
        break;
      }
      case 'q':
        s = JSON.stringify(str(v));
        break;
      case 'x':
      case 'X': {
        const x = num(v);
        s = x !== undefined ? Math.trunc(x).toString(16) : Buffer.from(str(v)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 't':
        s = typeof v === 'boolean' ? str(v) : `%!t(${goTypeOf(v)}=${str(v)})`;
        break;
      case 's':
      case 'v':
        s = str(v);
        if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec));
        break;
      default:
        return `%!${verb}(${goTypeOf(v)}=${str(v)})`;
    }
    const w = Number(width ?? 0);
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && verb !== 's' && verb !== 'v' && verb !== 'q') {
        const neg = s.startsWith('-') || s.startsWith('+');
        s = neg ? s[0] + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      } else s = s.padStart(w);
    }
    void whole;
    return s;
  });
}

/** Parses and checks a template, mapping parse errors to docker's wording. */
export function compileTemplate(source: string, options: TemplateOptions = {}): GoTemplate {
  return new GoTemplate(source, options);
}

export function isTemplateError(e: unknown): e is TemplateParseError | TemplateExecError {
  return e instanceof TemplateParseError || e instanceof TemplateExecError;
}
