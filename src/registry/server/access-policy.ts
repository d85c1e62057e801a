/**
 * Who may do what to which repository. Rules come from the config file; the first rule whose
 * repository pattern matches decides. Without rules, every authenticated user may pull and push
 * everywhere (distribution's htpasswd behaviour). Anonymous callers get pull when allowed.
 */
export type Action = 'pull' | 'push' | 'delete';
export const ALL_ACTIONS: readonly Action[] = ['pull', 'push', 'delete'];

export interface AccessRule {
  /** A repository name; `*` matches any run of characters, slashes included. */
  repository: string;
  /** User name, or `*` for any authenticated user, to actions (`*` means all). */
  users: Record<string, Array<Action | '*'>>;
}

export interface PolicyConfig {
  rules?: AccessRule[];
  anonymousPull?: boolean;
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

export class AccessPolicy {
  private readonly rules: Array<{ re: RegExp; users: Record<string, Array<Action | '*'>> }> | undefined;

  constructor(private readonly config: PolicyConfig) {
    this.rules = config.rules?.map((r) => ({ re: globToRegExp(r.repository), users: r.users }));
  }

  get anonymousPull(): boolean {
    return this.config.anonymousPull === true;
  }

  /** The actions `user` (undefined: anonymous) holds on `repository`. */
  actionsFor(user: string | undefined, repository: string): Set<Action> {
    const granted = new Set<Action>();
    if (this.anonymousPull) granted.add('pull');
    if (user === undefined) return granted;
    if (this.rules === undefined) return new Set(ALL_ACTIONS);
    const rule = this.rules.find((r) => r.re.test(repository));
    if (rule === undefined) return granted;
    const own = Object.hasOwn(rule.users, user) ? rule.users[user] : rule.users['*'];
    for (const a of own ?? []) {
      if (a === '*') ALL_ACTIONS.forEach((x) => granted.add(x));
      else if ((ALL_ACTIONS as readonly string[]).includes(a)) granted.add(a);
    }
    return granted;
  }
}
