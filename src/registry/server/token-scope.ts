/**
 * Docker's token-auth scopes: `repository:<name>:pull,push` and `registry:catalog:*`, as asked for
 * in `scope=` on the token endpoint, granted in a token's `access` claim and named in a
 * `WWW-Authenticate` challenge.
 */
export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

/** One scope string; undefined when it is not `type:name:actions` (names may not hold ':' here, but types may carry `(class)`). */
export function parseScope(scope: string): ResourceAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  if (name === '' || actions.length === 0) return undefined;
  return { type, name, actions: [...new Set(actions)] };
}

/** Every `scope` query value; clients send several parameters or one space-separated value. */
export function parseScopes(values: readonly string[]): ResourceAccess[] {
  return values.flatMap((v) => v.split(' ')).flatMap((s) => parseScope(s) ?? []);
}

export const formatScope = (a: ResourceAccess): string => `${a.type}:${a.name}:${a.actions.join(',')}`;

/** True when `granted` covers every action of `type:name` in `needed`. */
export function covers(granted: readonly ResourceAccess[], type: string, name: string, needed: readonly string[]): boolean {
  const have = new Set(granted.filter((g) => g.type === type && g.name === name).flatMap((g) => g.actions));
  return needed.every((a) => have.has(a) || have.has('*'));
}
