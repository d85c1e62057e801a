import { invalidParameter } from '../base/engine-error.js';

/**
 * Docker's Dockerfile word processing (moby/buildkit shell.Lex): quotes, the escape character,
 * and `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
 * `${VAR:?msg}`, `${VAR?msg}`. Unset variables expand to "". Pure.
 *
 * processWord keeps whitespace (ENV values, WORKDIR, …); processWords splits into words on
 * unquoted whitespace, including whitespace that came out of an unquoted expansion.
 */
export type Env = ReadonlyMap<string, string>;

/** KEY=VALUE lines → map; later entries win. */
export function envMapOf(list: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of list) {
    const i = e.indexOf('=');
    if (i < 0) m.set(e, '');
    else m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

class Lexer {
  private i = 0;
  private words: string[] = [];
  private cur = '';
  private inWord = false;

  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly escape: string,
    private readonly split: boolean,
    private readonly legacy = false,
  ) {}

  run(): string[] {
    const text = this.until(undefined);
    if (!this.split) return [text];
    this.flush();
    return this.words;
  }

  private flush(): void {
    if (this.inWord) this.words.push(this.cur);
    this.cur = '';
    this.inWord = false;
  }

  /** Appends text; in split mode unquoted whitespace ends the current word. */
  private add(text: string, quoted: boolean): void {
    if (!this.split || quoted) {
      this.cur += text;
      this.inWord = true;
      return;
    }
    for (const ch of text) {
      if (/\s/.test(ch)) this.flush();
      else {
        this.cur += ch;
        this.inWord = true;
      }
    }
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  /** Processes until `stop` (unconsumed) or the end; returns the text in non-split mode. */
  private until(stop: string | undefined): string {
    let out = '';
    const emit = (t: string, quoted: boolean) => {
      out += t;
      this.add(t, quoted);
    };
    while (this.i < this.s.length) {
      const ch = this.s[this.i] as string;
      if (stop !== undefined && ch === stop) break;
      if (ch === this.escape) {
        this.i++;
        const next = this.peek();
        if (next === undefined) break;
        this.i++;
        emit(next, true);
      } else if (ch === "'") {
        this.i++;
        const end = this.s.indexOf("'", this.i);
        if (end < 0) throw invalidParameter('unexpected end of statement while looking for matching single-quote');
        const lit = this.s.slice(this.i, end);
        this.i = end + 1;
        emit(lit, true);
        if (lit === '') this.inWord = true;
      } else if (ch === '"') {
        this.i++;
        const text = this.doubleQuoted();
        emit(text, true);
        this.inWord = true;
      } else if (ch === '$') {
        this.i++;
        emit(this.dollar(), false);
      } else {
        this.i++;
        emit(ch, false);
      }
    }
    return out;
  }

  private doubleQuoted(): string {
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw invalidParameter('unexpected end of statement while looking for matching double-quote');
      this.i++;
      if (ch === '"') return out;
      if (ch === '$') out += this.dollar();
      else if (ch === this.escape) {
        const next = this.peek();
        if (next === undefined) continue;
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.i++;
        } else out += ch;
      } else out += ch;
    }
  }

  /** After a `$`. */
  private dollar(): string {
    const ch = this.peek();
    if (ch === '{') {
      this.i++;
      const name = this.name();
      if (name === '') throw invalidParameter(`bad substitution in ${this.s}`);
      const c = this.peek();
      if (c === '}') {
        this.i++;
        return this.env.get(name) ?? '';
      }
      let colon = false;
      if (c === ':') {
        colon = true;
        this.i++;
      } else if (this.legacy) throw invalidParameter(`missing ':' in substitution`);
      const op = this.peek();
      // dockerd 20.10's legacy builder knows only `:-` and `:+`.
      if (this.legacy && op !== '-' && op !== '+') throw invalidParameter(`unsupported modifier (${op ?? ''}) in substitution`);
      if (op !== '-' && op !== '+' && op !== '?') throw invalidParameter(`unsupported modifier (${op ?? ''}) in substitution`);
      this.i++;
      const word = this.sub();
      const v = this.env.get(name);
      const set = colon ? v !== undefined && v !== '' : v !== undefined;
      if (op === '-') return set ? (v as string) : word;
      if (op === '+') return set ? word : '';
      if (!set) throw invalidParameter(`${name}: ${word === '' ? 'is not allowed to be unset' : word}`);
      return v as string;
    }
    const name = this.name();
    if (name === '') return '$';
    return this.env.get(name) ?? '';
  }

  /** The word of a `${VAR:-word}` up to its `}`, processed without splitting. */
  private sub(): string {
    const inner = new Lexer(this.s.slice(this.i), this.env, this.escape, false, this.legacy);
    const text = inner.until('}');
    this.i += inner.i;
    if (this.peek() !== '}') throw invalidParameter(`missing '}' in ${this.s}`);
    this.i++;
    return text;
  }

  private name(): string {
    const m = /^[A-Za-z0-9_]+/.exec(this.s.slice(this.i));
    if (!m) return '';
    // A leading digit is a positional parameter: one digit only.
    const name = /^\d/.test(m[0]) ? m[0].slice(0, 1) : m[0];
    this.i += name.length;
    return name;
  }
}

export interface LexOptions {
  /** The legacy builder's rules (dockerd 20.10): `${VAR-x}`, `${VAR+x}` and `?` forms are errors. */
  legacy?: boolean;
}

export function processWord(word: string, env: Env, escape = '\\', opts: LexOptions = {}): string {
  return new Lexer(word, env, escape, false, opts.legacy).run()[0] ?? '';
}

export function processWords(word: string, env: Env, escape = '\\', opts: LexOptions = {}): string[] {
  return new Lexer(word, env, escape, true, opts.legacy).run();
}
