/**
 * Build arguments as Docker's legacy builder scopes them: `--build-arg` values, ARGs declared
 * before the first FROM ("meta" args, visible to FROM lines and redeclared in a stage), ARGs
 * declared in the current stage, and the predefined proxy args that need no declaration. Pure.
 */
export const BUILTIN_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

/** Build args the builder itself reads: never reported as unconsumed. */
export const BUILDER_ARGS = new Set(['SOURCE_DATE_EPOCH']);

export class BuildArgs {
  /** Args declared before the first FROM, with their resolved values. */
  readonly meta = new Map<string, string | undefined>();
  /** Args declared in the current stage, with their defaults, in declaration order. */
  private stage = new Map<string, string | undefined>();
  /** Every arg name declared anywhere (for the "not consumed" warning). */
  private readonly referenced = new Set<string>();

  constructor(readonly supplied: ReadonlyMap<string, string | undefined>) {}

  /** A new stage forgets the previous stage's args (meta args stay). */
  beginStage(): void {
    this.stage = new Map();
  }

  declareMeta(name: string, defaultValue: string | undefined): void {
    this.referenced.add(name);
    this.meta.set(name, this.supplied.get(name) ?? defaultValue);
  }

  declare(name: string, defaultValue: string | undefined): void {
    this.referenced.add(name);
    // `ARG X` in a stage picks up the meta arg's value as its default.
    const dflt = defaultValue ?? this.meta.get(name);
    this.stage.set(name, dflt);
  }

  /** The value an arg has in this stage, if it is declared and has one. */
  value(name: string): string | undefined {
    if (!this.stage.has(name)) return undefined;
    return this.supplied.get(name) ?? this.stage.get(name);
  }

  /** The meta args with values, for expanding FROM lines. */
  metaEnv(): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of this.meta) if (v !== undefined) m.set(k, v);
    return m;
  }

  /**
   * KEY=VALUE for each arg usable in this stage that `env` (the image's ENV) does not override:
   * declared args with a value, then supplied predefined proxy args.
   */
  allowed(envKeys: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const name of this.stage.keys()) {
      const v = this.value(name);
      if (v !== undefined && !envKeys.has(name)) out.push(`${name}=${v}`);
    }
    for (const [name, v] of this.supplied) {
      if (BUILTIN_ARGS.has(name) && !this.stage.has(name) && v !== undefined && !envKeys.has(name)) out.push(`${name}=${v}`);
    }
    return out;
  }

  /** Whether an arg shows in the RUN history prefix (`|N K=V …`): declared, or not a builtin. */
  shownInHistory(name: string): boolean {
    return this.stage.has(name) || !BUILTIN_ARGS.has(name);
  }

  /** Supplied args that no ARG declared (builtins excluded), sorted. */
  unconsumed(): string[] {
    return [...this.supplied.keys()].filter((k) => !this.referenced.has(k) && !BUILTIN_ARGS.has(k) && !BUILDER_ARGS.has(k)).sort();
  }
}
