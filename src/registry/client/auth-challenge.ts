/**
 * The registry's `WWW-Authenticate` challenge (RFC 7235 as the distribution spec uses it) and
 * token scope strings. Pure.
 */
export interface AuthChallenge {
  /** Lower-case scheme: "basic" or "bearer". */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a header such as `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"`.
 * Several challenges may share one header (`Basic realm="x", Bearer realm="y"`): a token that is
 * followed by a space and then `name=` starts a new challenge.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  let cur: AuthChallenge | undefined;
  while (i < s.length) {
    skipWs();
    const word = token();
    if (word === '') {
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
    if (s[j] === '=' && cur) {
      // name=value inside the current challenge
      i = j + 1;
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
        value = s.slice(vs, i);
      }
      cur.params[word.toLowerCase()] = value;
      continue;
    }
    cur = { scheme: word.toLowerCase(), params: {} };
    out.push(cur);
  }
  return out;
}

/** "repository:alice/app:pull,push" — the scope a token request asks for. */
export function repositoryScope(path: string, actions: readonly string[]): string {
  return `repository:${path}:${[...new Set(actions)].join(',')}`;
}

/**
 * Merges scopes naming the same resource ("repository:a:pull" + "repository:a:push" →
 * "repository:a:pull,push") and sorts them, so equal needs give equal token-cache keys.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const sc of scopes) {
    const last = sc.lastIndexOf(':');
    if (last < 0) continue;
    const resource = sc.slice(0, last);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of sc.slice(last + 1).split(',')) if (a) set.add(a);
    byResource.set(resource, set);
  }
  return [...byResource.entries()].map(([r, a]) => `${r}:${[...a].sort().join(',')}`).sort();
}
