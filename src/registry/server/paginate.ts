/**
 * `n`/`last` pagination of tag lists and the catalog, with the RFC 5988 Link header the spec asks
 * for when more results follow.
 */
export interface Page {
  items: string[];
  /** The Link header value, when there is a next page. */
  link?: string;
}

export type PageParams = { n: number | undefined; last: string | undefined } | 'invalid';

/** Reads `n` and `last`; a non-numeric or negative `n` is refused rather than ignored. */
export function pageParams(query: URLSearchParams): PageParams {
  const rawN = query.get('n');
  const last = query.get('last') ?? undefined;
  if (rawN === null || rawN === '') return { n: undefined, last };
  if (!/^\d+$/.test(rawN)) return 'invalid';
  return { n: Number(rawN), last };
}

/**
 * @param sorted every item in lexical (code unit) order
 * @param path the endpoint's path, e.g. "/v2/foo/tags/list", for the Link header
 */
export function paginate(sorted: readonly string[], n: number | undefined, last: string | undefined, path: string): Page {
  const after = last === undefined ? sorted : sorted.filter((s) => s > last);
  if (n === undefined || after.length <= n) return { items: n === 0 ? [] : [...after] };
  const items = after.slice(0, n);
  if (n === 0) return { items };
  const lastItem = items[items.length - 1] ?? '';
  return { items, link: `<${path}?n=${n}&last=${encodeURIComponent(lastItem)}>; rel="next"` };
}
