import { posix } from 'node:path';

/**
 * `.dockerignore` with Docker's rules (moby/patternmatcher + ignorefile): one pattern a line,
 * `#` comments, `!` re-includes, patterns cleaned and made relative, `*` and `?` stop at `/`,
 * `**` crosses directories, a pattern that matches a directory matches everything below it,
 * and the last matching pattern wins. Pure.
 */
export interface IgnorePattern {
  pattern: string;
  exclusion: boolean;
  regex: RegExp;
}

export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    let p = rawLine.trim();
    if (p === '' || p.startsWith('#')) continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p !== '') {
      p = posix.normalize(p).replace(/\/+$/, '') || '/';
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}

const SHOULD_ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

export function compilePattern(raw: string): IgnorePattern {
  const exclusion = raw.startsWith('!');
  const pattern = exclusion ? raw.slice(1) : raw;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (SHOULD_ESCAPE.has(ch)) re += `\\${ch}`;
    else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined) {
        re += /[A-Za-z0-9]/.test(next) ? next : `\\${next}`;
        i++;
      } else re += '\\\\';
    } else re += ch;
  }
  re += '$';
  let regex: RegExp;
  try {
    regex = new RegExp(re);
  } catch {
    regex = /$^/; // a broken character class matches nothing, as filepath.Match errors do
  }
  return { pattern, exclusion, regex };
}

export class IgnoreMatcher {
  readonly patterns: IgnorePattern[];

  constructor(lines: readonly string[]) {
    this.patterns = lines.filter((l) => l !== '' && l !== '!').map(compilePattern);
  }

  static fromText(text: string): IgnoreMatcher {
    return new IgnoreMatcher(readIgnoreFile(text));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether `path` (relative, slash-separated) is excluded: it or one of its parents matches. */
  matches(path: string): boolean {
    const file = posix.normalize(path).replace(/^\/+/, '').replace(/\/+$/, '');
    const parents = file.split('/').slice(0, -1);
    let matched = false;
    for (const p of this.patterns) {
      let m = p.regex.test(file);
      if (!m && parents.length > 0) {
        for (let i = 1; i <= parents.length && !m; i++) m = p.regex.test(parents.slice(0, i).join('/'));
      }
      if (m) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Whether a walk may skip an excluded directory: only when no `!` pattern could re-include
   * something below it (as the docker CLI decides).
   */
  canSkipDir(dir: string): boolean {
    if (!this.matches(dir)) return false;
    const prefix = `${dir}/`;
    return !this.patterns.some((p) => p.exclusion && (p.pattern.startsWith(prefix) || /[*?[\\]/.test(p.pattern)));
  }
}
