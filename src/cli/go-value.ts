/**
 * Values as Go's text/template sees them after docker decodes inspect JSON with UseNumber:
 * numbers keep their literal text (so big ints print without exponent), objects keep their key
 * order (structs print and marshal in field order), and a JSON null remembers whether the Go field
 * was a slice, a map or a pointer so that it prints `[]`, `map[]` or `<nil>` as the typed CLI does.
 */
export class GoNumber {
  constructor(readonly literal: string) {}

  get value(): number {
    return Number(this.literal);
  }
}

export class GoNil {
  constructor(readonly kind: 'slice' | 'map' | 'ptr') {}
}

export type GoFunc = (...args: GoValue[]) => GoValue;

export class GoObject {
  /** `kind` decides printing and marshalling: maps sort their keys, structs keep field order. */
  constructor(
    readonly entries: Map<string, GoValue>,
    readonly kind: 'map' | 'struct' = 'struct',
    /** Set for typed contexts (ps, images): a missing field is "can't evaluate field". */
    readonly typeName?: string,
    /** What `{{json .}}` prints for computed contexts (docker's MarshalJSON on ps/images rows). */
    readonly jsonValue?: () => GoValue,
  ) {}
}

export type GoValue = string | boolean | number | GoNumber | GoNil | GoObject | GoValue[] | GoFunc | null;

// Go field names of map type in moby's API structs; a null under them is a nil map.
const MAP_KEYS = new Set([
  'Labels', 'Volumes', 'ExposedPorts', 'Options', 'Data', 'Ports', 'Networks', 'PortBindings', 'DriverOpts',
  'Annotations', 'Sysctls', 'StorageOpt', 'Tmpfs', 'Containers', 'IndexConfigs', 'Runtimes', 'Attributes',
]);
const PTR_KEYS = new Set(['Health', 'IPAMConfig', 'Error', 'Healthcheck', 'Platform', 'Metadata']);

/** Parses JSON text into GoValues without losing number literals or key order. */
export function parseGoJson(text: string): GoValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  };
  const fail = (): never => {
    throw new Error(`invalid JSON at offset ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (key: string | undefined): GoValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries = new Map<string, GoValue>();
      ws();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail();
          const k = str();
          ws();
          if (text[i] !== ':') fail();
          i++;
          entries.set(k, value(k));
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail();
        }
      }
      return new GoObject(entries, key !== undefined && MAP_KEYS.has(key) ? 'map' : 'struct');
    }
    if (c === '[') {
      i++;
      const items: GoValue[] = [];
      ws();
      if (text[i] === ']') i++;
      else {
        for (;;) {
          items.push(value(undefined));
          ws();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail();
        }
      }
      return items;
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) {
      i += 4;
      if (key !== undefined && MAP_KEYS.has(key)) return new GoNil('map');
      if (key !== undefined && PTR_KEYS.has(key)) return new GoNil('ptr');
      return new GoNil('slice');
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m === null) return fail();
    i += m[0].length;
    return new GoNumber(m[0]);
  };
  const v = value(undefined);
  ws();
  if (i !== text.length) fail();
  return v;
}

/** Converts a plain JS value (e.g. computed ps fields) into GoValues. */
export function fromJs(v: unknown): GoValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'function') {
    return v as GoValue;
  }
  if (v instanceof GoNumber || v instanceof GoNil || v instanceof GoObject) return v;
  if (Array.isArray(v)) return v.map(fromJs);
  const entries = new Map<string, GoValue>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) entries.set(k, fromJs(x));
  return new GoObject(entries, 'map');
}

/** fmt's %v. */
export function formatGo(v: GoValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof GoNumber) return v.literal;
  if (v instanceof GoNil) return v.kind === 'slice' ? '[]' : v.kind === 'map' ? 'map[]' : '<nil>';
  if (Array.isArray(v)) return `[${v.map(formatGo).join(' ')}]`;
  if (v instanceof GoObject) {
    if (v.kind === 'map') {
      const keys = [...v.entries.keys()].sort();
      return `map[${keys.map((k) => `${k}:${formatGo(v.entries.get(k) ?? null)}`).join(' ')}]`;
    }
    return `{${[...v.entries.values()].map(formatGo).join(' ')}}`;
  }
  return '<func>';
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  // Go's %v for float64: shortest repr, exponent when exp < -4 || exp >= 21.
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, 'e$1+0$2').replace(/e\+?(-?)(\d\d+)$/, (_, sign: string, d: string) => `e${sign === '-' ? '-' : '+'}${d}`);
}

/** encoding/json's Marshal: HTML-safe escaping, maps sorted, structs in order. */
export function marshalGo(v: GoValue): string {
  if (v === null || v instanceof GoNil) return 'null';
  if (typeof v === 'string') return quoteJson(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof GoNumber) return v.literal;
  if (Array.isArray(v)) return `[${v.map(marshalGo).join(',')}]`;
  if (v instanceof GoObject) {
    if (v.jsonValue !== undefined) return marshalGo(v.jsonValue());
    const keys = v.kind === 'map' ? [...v.entries.keys()].sort() : [...v.entries.keys()];
    return `{${keys.map((k) => `${quoteJson(k)}:${marshalGo(v.entries.get(k) ?? null)}`).join(',')}}`;
  }
  return 'null';
}

export function quoteJson(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * encoding/json's Indent: re-indents raw JSON text without reordering or re-encoding anything,
 * which is what docker inspect prints.
 */
export function indentJson(text: string, prefix: string, indent: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => `\n${prefix}${indent.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += newline();
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      out += c;
      needIndent = true;
    } else if (c === ',') {
      out += c + newline();
    } else if (c === ':') {
      out += ': ';
    } else if (c === '}' || c === ']') {
      if (needIndent) {
        needIndent = false; // empty object/array stays on one line
      } else {
        depth--;
        out += newline();
      }
      out += c;
    } else out += c;
  }
  return out;
}
