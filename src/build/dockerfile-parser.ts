import { invalidParameter } from '../base/engine-error.js';

/**
 * Dockerfile text → instructions, with Docker's parser rules: parser directives at the top
 * (`# escape=`, `# syntax=` accepted and ignored), comments, line continuations with the escape
 * character, empty continuation lines skipped, leading `--flags`, JSON (exec) vs shell form,
 * and heredocs (`RUN <<EOF`, `COPY <<EOF /x`). Pure.
 */
export interface Heredoc {
  name: string;
  content: string;
  /** `<<-`: leading tabs were stripped. */
  chomp: boolean;
  /** Unquoted word: variables in the body are expanded (by the shell for RUN). */
  expand: boolean;
}

export interface Instruction {
  /** Lower case: "from", "run", … */
  keyword: string;
  /** The logical line as Docker prints it in "Step n/m : …" (continuations joined). */
  original: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** Leading `--name=value` words, as written. */
  flags: string[];
  /** Everything after the keyword and flags, trimmed. */
  args: string;
  /** The exec form, when args is a JSON array of strings. */
  json?: string[];
  heredocs: Heredoc[];
}

export interface ParsedDockerfile {
  escape: string;
  instructions: Instruction[];
  warnings: string[];
}

export const KNOWN_INSTRUCTIONS = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer', 'onbuild', 'run',
  'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);

/** Instructions whose arguments may be a JSON array. */
const JSON_FORMS = new Set(['run', 'cmd', 'entrypoint', 'shell', 'copy', 'add', 'volume']);
const HEREDOC_FORMS = new Set(['run', 'copy', 'add']);

const parseError = (line: number, msg: string) => invalidParameter(`dockerfile parse error line ${line}: ${msg}`);

const isComment = (l: string) => /^[ \t]*#/.test(l);
const isBlank = (l: string) => /^[ \t\r\f\v]*$/.test(l);

function readDirectives(lines: string[]): { escape: string; next: number } {
  let escape = '\\';
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/.exec(lines[i] ?? '');
    if (!m) break;
    const key = (m[1] ?? '').toLowerCase();
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break;
    if (seen.has(key)) throw parseError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      const v = m[2] ?? '';
      if (v !== '\\' && v !== '`') throw parseError(i + 1, `invalid escape token '${v}' does not match \` or \\`);
      escape = v;
    }
  }
  return { escape, next: i };
}

/** Strips one trailing escape character (plus trailing blanks); says whether the line continues. */
function trimContinuation(line: string, escape: string): { text: string; continues: boolean } {
  const m = new RegExp(`\\${escape}[ \\t]*$`).exec(line);
  if (!m) return { text: line, continues: false };
  return { text: line.slice(0, m.index), continues: true };
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` markers in a heredoc-capable instruction's args. */
export function heredocMarkers(args: string): Array<{ name: string; chomp: boolean; expand: boolean }> {
  const out: Array<{ name: string; chomp: boolean; expand: boolean }> = [];
  const re = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) {
    out.push({ name: m[3] ?? '', chomp: m[1] === '-', expand: m[2] === '' });
  }
  return out;
}

function splitFlags(rest: string): { flags: string[]; args: string } {
  const flags: string[] = [];
  let r = rest;
  for (;;) {
    const m = /^--([^\s]*)(\s+|$)/.exec(r);
    if (!m || m[1] === '') break;
    flags.push(`--${m[1]}`);
    r = r.slice(m[0].length);
  }
  return { flags, args: r.trim() };
}

/** JSON array of strings, or undefined for shell form; an array with non-strings is an error. */
export function parseJsonForm(args: string, line: number): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((x) => typeof x === 'string')) throw invalidParameter('failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only');
  return v as string[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { escape, next } = readDirectives(lines);
  const instructions: Instruction[] = [];
  const warnings: string[] = [];
  let i = next;
  while (i < lines.length) {
    const raw = lines[i] ?? '';
    const start = i + 1;
    i++;
    if (isComment(raw) || isBlank(raw)) continue;
    let { text: logical, continues } = trimContinuation(raw.replace(/^[ \t]+/, ''), escape);
    let emptyContinuation = false;
    while (continues && i < lines.length) {
      const l = lines[i] ?? '';
      i++;
      if (isComment(l)) continue;
      if (isBlank(l)) {
        emptyContinuation = true;
        continue;
      }
      const t = trimContinuation(l, escape);
      logical += t.text;
      continues = t.continues;
    }
    if (emptyContinuation) warnings.push(`[WARNING]: Empty continuation line found in:\n    ${logical.trim()}\n`);
    const m = /^(\S+)(?:[ \t\v\f\r]+([\s\S]*))?$/.exec(logical.trim());
    if (!m) continue;
    const keyword = (m[1] ?? '').toLowerCase();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) throw parseError(start, `unknown instruction: ${(m[1] ?? '').toUpperCase()}`);
    const { flags, args } = splitFlags(m[2] ?? '');
    const inst: Instruction = { keyword, original: logical.trim(), line: start, flags, args, heredocs: [] };
    if (JSON_FORMS.has(keyword)) {
      const json = parseJsonForm(args, start);
      if (json) inst.json = json;
    }
    if (HEREDOC_FORMS.has(keyword) && !inst.json) {
      for (const marker of heredocMarkers(args)) {
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          let l = lines[i] ?? '';
          i++;
          if (marker.chomp) l = l.replace(/^\t+/, '');
          if (l === marker.name) {
            closed = true;
            break;
          }
          body.push(l);
        }
        if (!closed) throw parseError(start, `unterminated heredoc ${marker.name}`);
        inst.heredocs.push({ ...marker, content: body.length > 0 ? body.join('\n') + '\n' : '' });
      }
    }
    if (args === '' && keyword !== 'run' && !(keyword === 'cmd' || keyword === 'entrypoint')) {
      throw parseError(start, `${keyword.toUpperCase()} requires at least one argument`);
    }
    instructions.push(inst);
  }
  return { escape, instructions, warnings };
}
