import type { RequestContext } from './request-context.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: string;
  /** A path pattern; `{name}` matches one segment, `{name*}` matches the rest (image names hold slashes). */
  path: string;
  handler: Handler;
}

interface CompiledRoute {
  method: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)(\*?)\}/g, (_m, name: string, star: string) => {
    names.push(name);
    return star ? '(.+)' : '([^/]+)';
  });
  return { method: route.method, regex: new RegExp(`^${source}$`), names, handler: route.handler };
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

export class Router {
  private routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): void {
    for (const r of routes) this.routes.push(compile(r));
  }

  /** First match in registration order: register the longer image routes (…/json, …/tag) before the bare one. */
  match(method: string, path: string): RouteMatch | undefined {
    const m = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const candidate of m) {
      for (const r of this.routes) {
        if (r.method !== candidate) continue;
        const found = r.regex.exec(path);
        if (!found) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => {
          params[n] = decodeURIComponent(found[i + 1] ?? '');
        });
        return { handler: r.handler, params };
      }
    }
    return undefined;
  }
}
