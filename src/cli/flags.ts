/**
 * docker-style (spf13/pflag) flag parsing: `--x v`, `--x=v`, grouped shorthands `-it`,
 * attached values `-p80:80`, repeatable list flags, `--`, and for run/create/exec no
 * interspersed flags (everything after the image belongs to the container's command).
 * Errors use pflag's wording because scripts and users see them.
 */
export type FlagType = 'bool' | 'string' | 'int' | 'list';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  /** Known to docker but not implemented here: refused with a clear error instead of ignored. */
  unsupported?: boolean;
}

export type FlagValue = boolean | string | number | string[];

export class FlagError extends Error {}

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Names in the order they were given, so that "was it set" can be asked. */
  set: Set<string>;
  args: string[];
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], interspersed: boolean): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  const values = new Map<string, FlagValue>();
  const set = new Set<string>();
  const args: string[] = [];

  const assign = (spec: FlagSpec, raw: string, label: string) => {
    if (spec.unsupported) throw new FlagError(`the --${spec.name} flag is not supported by skiff yet`);
    set.add(spec.name);
    switch (spec.type) {
      case 'bool': {
        const b = parseBool(raw);
        if (b === undefined) throw new FlagError(`invalid argument "${raw}" for "${label}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
        values.set(spec.name, b);
        break;
      }
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "${label}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
        values.set(spec.name, Number(raw));
        break;
      }
      case 'string':
        values.set(spec.name, raw);
        break;
      case 'list': {
        const prev = values.get(spec.name);
        values.set(spec.name, [...(Array.isArray(prev) ? prev : []), raw]);
        break;
      }
    }
  };
  const labelOf = (spec: FlagSpec) => (spec.short !== undefined ? `-${spec.short}, --${spec.name}` : `--${spec.name}`);

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byName.get(name);
      if (spec === undefined) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) assign(spec, a.slice(eq + 1), labelOf(spec));
      else if (spec.type === 'bool') assign(spec, 'true', labelOf(spec));
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        assign(spec, argv[++i] ?? '', labelOf(spec));
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      let rest = a.slice(1);
      while (rest.length > 0) {
        const c = rest[0] ?? '';
        const spec = byShort.get(c);
        if (spec === undefined) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        if (rest[1] === '=') {
          assign(spec, rest.slice(2), labelOf(spec));
          break;
        }
        if (spec.type === 'bool') {
          assign(spec, 'true', labelOf(spec));
          rest = rest.slice(1);
          continue;
        }
        if (rest.length > 1) assign(spec, rest.slice(1), labelOf(spec));
        else {
          if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in ${a}`);
          assign(spec, argv[++i] ?? '', labelOf(spec));
        }
        break;
      }
      continue;
    }
    args.push(a);
    if (!interspersed) {
      args.push(...argv.slice(i + 1));
      break;
    }
  }
  return { values, set, args };
}

function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  return undefined;
}

/** Typed accessors over a parse result. */
export class Flags {
  constructor(private readonly parsed: ParsedFlags) {}

  get args(): string[] {
    return this.parsed.args;
  }

  bool(name: string): boolean {
    return this.parsed.values.get(name) === true;
  }

  string(name: string, fallback = ''): string {
    const v = this.parsed.values.get(name);
    return typeof v === 'string' ? v : fallback;
  }

  int(name: string, fallback = 0): number {
    const v = this.parsed.values.get(name);
    return typeof v === 'number' ? v : fallback;
  }

  list(name: string): string[] {
    const v = this.parsed.values.get(name);
    return Array.isArray(v) ? v : [];
  }

  has(name: string): boolean {
    return this.parsed.set.has(name);
  }
}
