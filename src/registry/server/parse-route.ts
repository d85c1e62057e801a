/**
 * Maps a raw request path onto a distribution endpoint. Repository names may contain slashes, so
 * the endpoint is recognised from the end of the path and everything before it is the name. The
 * path is never URL-normalised (that would turn `a/../b` into `b`); names are checked against the
 * grammar by the caller, undecoded.
 */
export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'token' }
  | { kind: 'metrics' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; uuid: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'unknown' };

export interface ParsedTarget {
  route: Route;
  query: URLSearchParams;
}

export function parseTarget(rawUrl: string): ParsedTarget {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  return { route: parseRoute(path), query };
}

export function parseRoute(path: string): Route {
  if (path === '/token') return { kind: 'token' };
  if (path === '/metrics') return { kind: 'metrics' };
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) return { kind: 'unknown' };
  const rest = path.slice(4);
  if (rest === '_catalog') return { kind: 'catalog' };
  const parts = rest.split('/');
  const n = parts.length;
  const name = (drop: number): string => parts.slice(0, n - drop).join('/');
  const at = (i: number): string => parts[n - i] ?? '';
  if (n >= 3 && at(2) === 'tags' && at(1) === 'list') return { kind: 'tags', name: name(2) };
  if (n >= 3 && at(2) === 'manifests' && at(1) !== '') return { kind: 'manifest', name: name(2), reference: at(1) };
  if (n >= 3 && at(2) === 'referrers' && at(1) !== '') return { kind: 'referrers', name: name(2), digest: at(1) };
  if (n >= 4 && at(3) === 'blobs' && at(2) === 'uploads') {
    return at(1) === '' ? { kind: 'uploads', name: name(3) } : { kind: 'upload', name: name(3), uuid: at(1) };
  }
  if (n >= 3 && at(2) === 'blobs' && at(1) === 'uploads') return { kind: 'uploads', name: name(2) };
  if (n >= 3 && at(2) === 'blobs' && at(1) !== '') return { kind: 'blob', name: name(2), digest: at(1) };
  return { kind: 'unknown' };
}
