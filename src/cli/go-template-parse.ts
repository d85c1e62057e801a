/**
 * Parser for the subset of Go's text/template that docker's --format uses: actions with trim
 * markers, comments, pipelines, variables, parenthesised pipelines, if/else if/else, range
 * (with `$i, $v :=`), with, break/continue. Node positions are byte offsets so execution
 * errors read like Go's ("template: :1:2: executing "" at <.X>: ...").
 */
export type Arg =
  | { t: 'field'; names: string[]; pos: number; src: string }
  | { t: 'var'; name: string; names: string[]; pos: number; src: string }
  | { t: 'dot'; pos: number; src: string }
  | { t: 'ident'; name: string; pos: number; src: string }
  | { t: 'string'; value: string; pos: number; src: string }
  | { t: 'number'; value: number; pos: number; src: string }
  | { t: 'bool'; value: boolean; pos: number; src: string }
  | { t: 'nil'; pos: number; src: string }
  | { t: 'pipe'; pipe: Pipe; names: string[]; pos: number; src: string };

export interface Command {
  args: Arg[];
  pos: number;
}

export interface Pipe {
  decls: string[];
  assign: boolean;
  cmds: Command[];
  pos: number;
}

export type TNode =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | ControlNode
  | { t: 'break' | 'continue' };

export interface ControlNode {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: TNode[];
  elseList: TNode[] | undefined;
}

export class TemplateParseError extends Error {}

interface Tok {
  k: 'field' | 'var' | 'ident' | 'string' | 'number' | 'char' | '(' | ')' | '|' | ':=' | '=' | ',' | 'dot';
  v: string;
  pos: number;
}

export function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - (before.lastIndexOf('\n') + 1);
  return `${line}:${col}`;
}

function lexAction(src: string, start: number, end: number, err: (pos: number, msg: string) => never): Tok[] {
  const toks: Tok[] = [];
  let i = start;
  while (i < end) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"') {
      i++;
      while (i < end && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= end) err(pos, 'unterminated quoted string');
      i++;
      toks.push({ k: 'string', v: JSON.parse(src.slice(pos, i).replace(/\\'/g, "'")) as string, pos });
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0 || close >= end) err(pos, 'unterminated raw quoted string');
      toks.push({ k: 'string', v: src.slice(i + 1, close), pos });
      i = close + 1;
    } else if (c === "'") {
      const m = /^'(\\.|[^'\\])'/.exec(src.slice(i, end));
      if (m === null) err(pos, 'unterminated character constant');
      const body = m?.[1] ?? '';
      toks.push({ k: 'number', v: String((body.length === 2 ? (JSON.parse(`"${body}"`) as string) : body).codePointAt(0)), pos });
      i += m?.[0].length ?? 1;
    } else if ('()|,'.includes(c)) {
      toks.push({ k: c as Tok['k'], v: c, pos });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      toks.push({ k: ':=', v: ':=', pos });
      i += 2;
    } else if (c === '=') {
      toks.push({ k: '=', v: '=', pos });
      i++;
    } else if (c === '.' || c === '$') {
      const m = /^(\$[A-Za-z0-9_]*|)((\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(src.slice(i, end));
      const whole = m?.[0] ?? '';
      if (whole === '' && c === '.') {
        if (/^\.\d/.test(src.slice(i, end))) {
          const n = /^\.\d+/.exec(src.slice(i, end))?.[0] ?? '.';
          toks.push({ k: 'number', v: n, pos });
          i += n.length;
        } else {
          toks.push({ k: 'dot', v: '.', pos });
          i++;
        }
      } else {
        toks.push({ k: c === '$' ? 'var' : 'field', v: whole, pos });
        i += whole.length;
      }
    } else if (/[0-9+-]/.test(c)) {
      const m = /^[+-]?(0x[0-9a-fA-F_]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?)/.exec(src.slice(i, end));
      if (m === null) err(pos, `bad character ${JSON.stringify(c)}`);
      toks.push({ k: 'number', v: m?.[0] ?? '', pos });
      i += m?.[0].length ?? 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, end));
      const w = m?.[0] ?? c;
      toks.push({ k: 'ident', v: w, pos });
      i += w.length;
      // a field chained on an identifier or paren, e.g. (index .X 0).Name, is lexed by the '.' branch
    } else err(pos, `unexpected ${JSON.stringify(c)} in command`);
  }
  return toks;
}

export function parseTemplate(src: string): TNode[] {
  const err = (pos: number, msg: string): never => {
    throw new TemplateParseError(`template: :${lineCol(src, pos).split(':')[0]}: ${msg}`);
  };
  // Split into text and action tokens first, applying trim markers.
  type Piece = { text: string } | { toks: Tok[]; pos: number; keyword: string | undefined };
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      pieces.push({ text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 2;
    }
    pieces.push({ text });
    const close = findClose(src, start);
    if (close < 0) err(open, 'unclosed action');
    let end = close;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 2;
      trimNext = true;
    }
    i = close + 2;
    const inner = src.slice(start, end).trim();
    if (inner.startsWith('/*')) {
      if (!inner.endsWith('*/')) err(start, 'unclosed comment');
      continue;
    }
    const toks = lexAction(src, start, end, err);
    if (toks.length === 0) err(start, 'missing value for command');
    const first = toks[0];
    const kw = first?.k === 'ident' && ['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block'].includes(first.v) ? first.v : undefined;
    pieces.push({ toks: kw === undefined ? toks : toks.slice(1), pos: first?.pos ?? start, keyword: kw });
  }

  let p = 0;
  const parseList = (terminators: string[]): { list: TNode[]; term: string; piece: Piece | undefined } => {
    const list: TNode[] = [];
    while (p < pieces.length) {
      const piece = pieces[p++] as Piece;
      if ('text' in piece) {
        if (piece.text !== '') list.push({ t: 'text', text: piece.text });
        continue;
      }
      const kw = piece.keyword;
      if (kw === undefined) {
        list.push({ t: 'action', pipe: parsePipe(piece.toks, piece.pos, true) });
      } else if (kw === 'end' || kw === 'else') {
        if (!terminators.includes(kw)) err(piece.pos, `unexpected {{${kw}}}`);
        return { list, term: kw, piece };
      } else if (kw === 'if' || kw === 'with' || kw === 'range') {
        list.push(parseControl(kw, piece.toks, piece.pos));
      } else if (kw === 'break' || kw === 'continue') {
        list.push({ t: kw });
      } else err(piece.pos, `{{${kw}}} is not supported`);
    }
    if (terminators.length > 0) err(src.length, 'unexpected EOF');
    return { list, term: '', piece: undefined };
  };
  const parseControl = (kw: 'if' | 'with' | 'range', toks: Tok[], pos: number): TNode => {
    const pipe = parsePipe(toks, pos, kw === 'range');
    const body = parseList(['end', 'else']);
    let elseList: TNode[] | undefined;
    if (body.term === 'else') {
      const elsePiece = body.piece as { toks: Tok[]; pos: number };
      const next = elsePiece.toks[0];
      if (next !== undefined && next.k === 'ident' && (next.v === 'if' || next.v === 'with')) {
        // "else if" is sugar for else {{if}} ... {{end}} sharing the outer end
        elseList = [parseControl(next.v, elsePiece.toks.slice(1), next.pos)];
        return { t: kw, pipe, list: body.list, elseList };
      }
      elseList = parseList(['end']).list;
    }
    return { t: kw, pipe, list: body.list, elseList };
  };
  const parsePipe = (toks: Tok[], pos: number, allowDecl: boolean): Pipe => {
    let k = 0;
    const decls: string[] = [];
    let assign = false;
    const declEnd = toks.findIndex((t) => t.k === ':=' || t.k === '=');
    if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.k === 'var' || t.k === ',')) {
      for (const t of toks.slice(0, declEnd)) if (t.k === 'var') decls.push(t.v);
      assign = toks[declEnd]?.k === '=';
      if (decls.length > (allowDecl ? 2 : 1)) err(pos, 'too many declarations');
      k = declEnd + 1;
    }
    const cmds: Command[] = [];
    let args: Arg[] = [];
    const flush = (at: number) => {
      if (args.length === 0) err(at, 'missing command');
      cmds.push({ args, pos: args[0]?.pos ?? at });
      args = [];
    };
    while (k < toks.length) {
      const t = toks[k] as Tok;
      if (t.k === '|') {
        flush(t.pos);
        k++;
        continue;
      }
      const [arg, next] = parseArg(toks, k);
      args.push(arg);
      k = next;
    }
    flush(pos);
    return { decls, assign, cmds, pos };
  };
  const parseArg = (toks: Tok[], k: number): [Arg, number] => {
    const t = toks[k] as Tok;
    const src0 = t.v;
    switch (t.k) {
      case 'field':
        return [{ t: 'field', names: t.v.slice(1).split('.'), pos: t.pos, src: src0 }, k + 1];
      case 'dot':
        return [{ t: 'dot', pos: t.pos, src: '.' }, k + 1];
      case 'var': {
        const [name, ...names] = t.v.split('.');
        return [{ t: 'var', name: name ?? '$', names, pos: t.pos, src: src0 }, k + 1];
      }
      case 'string':
        return [{ t: 'string', value: t.v, pos: t.pos, src: JSON.stringify(t.v) }, k + 1];
      case 'number':
      case 'char':
        return [{ t: 'number', value: Number(t.v.replace(/_/g, '')), pos: t.pos, src: src0 }, k + 1];
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return [{ t: 'bool', value: t.v === 'true', pos: t.pos, src: src0 }, k + 1];
        if (t.v === 'nil') return [{ t: 'nil', pos: t.pos, src: src0 }, k + 1];
        return [{ t: 'ident', name: t.v, pos: t.pos, src: src0 }, k + 1];
      case '(': {
        let depth = 0;
        let j = k;
        for (; j < toks.length; j++) {
          if (toks[j]?.k === '(') depth++;
          else if (toks[j]?.k === ')' && --depth === 0) break;
        }
        if (j >= toks.length) err(t.pos, 'unclosed left paren');
        const pipe = parsePipe(toks.slice(k + 1, j), t.pos, false);
        let names: string[] = [];
        const after = toks[j + 1];
        let next = j + 1;
        if (after !== undefined && after.k === 'field' && after.pos === (toks[j]?.pos ?? 0) + 1) {
          names = after.v.slice(1).split('.');
          next++;
        }
        return [{ t: 'pipe', pipe, names, pos: t.pos, src: '(...)' }, next];
      }
      default:
        return err(t.pos, `unexpected ${JSON.stringify(t.v)} in operand`);
    }
  };
  return parseList([]).list;
}

function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  return -1;
}
