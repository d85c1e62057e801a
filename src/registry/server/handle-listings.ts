import { sendJson } from './http-io.js';
import { OCI_INDEX } from './manifest-parse.js';
import { pageParams, paginate } from './paginate.js';
import type { Exchange, RegistryDeps } from './registry-deps.js';
import { RegistryError } from './registry-error.js';
import { isSupportedDigest } from './repo-name.js';

/** Content discovery: tag lists, the catalog and the referrers API. */
function page(x: Exchange, all: string[], path: string): { items: string[]; headers: Record<string, string> } {
  const p = pageParams(x.query);
  if (p === 'invalid') throw new RegistryError('PAGINATION_NUMBER_INVALID', { detail: { n: x.query.get('n') } });
  const { items, link } = paginate(all, p.n, p.last, path);
  return { items, headers: link === undefined ? {} : { Link: link } };
}

export function listTags(deps: RegistryDeps, x: Exchange, name: string): void {
  const tags = deps.db.tags(name);
  if (tags.length === 0 && !deps.db.repoExists(name)) throw new RegistryError('NAME_UNKNOWN', { detail: { name } });
  const { items, headers } = page(x, tags, `/v2/${name}/tags/list`);
  sendJson(x.req, x.res, 200, { name, tags: items }, headers);
}

export function listCatalog(deps: RegistryDeps, x: Exchange): void {
  // Only repositories the caller may pull from are listed.
  const repos = deps.db.repositories().filter((r) => x.caller.can(r, 'pull'));
  const { items, headers } = page(x, repos, '/v2/_catalog');
  sendJson(x.req, x.res, 200, { repositories: items }, headers);
}

export function listReferrers(deps: RegistryDeps, x: Exchange, name: string, digest: string): void {
  if (!isSupportedDigest(digest)) throw new RegistryError('DIGEST_INVALID', { detail: { digest } });
  const filter = x.query.get('artifactType');
  const manifests = deps.db
    .referrers(name, digest)
    .filter((r) => filter === null || r.artifactType === filter)
    .map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      ...(r.artifactType !== undefined ? { artifactType: r.artifactType } : {}),
      ...(r.annotations !== undefined ? { annotations: r.annotations } : {}),
    }));
  sendJson(
    x.req,
    x.res,
    200,
    { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
    { 'Content-Type': OCI_INDEX, ...(filter !== null ? { 'OCI-Filters-Applied': 'artifactType' } : {}) },
  );
}
