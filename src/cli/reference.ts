/**
 * Just enough of docker's reference normalisation for the CLI: "busybox" → repository
 * "docker.io/library/busybox", tag "latest"; "localhost:5000/x:1" keeps its registry.
 */
export interface NormalizedRef {
  /** e.g. docker.io/library/busybox */
  repository: string;
  tag: string;
  digest: string;
  /** How docker shows it: busybox:latest */
  familiar: string;
}

export function normalizeRef(ref: string): NormalizedRef {
  let rest = ref;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  if (tag === '' && digest === '') tag = 'latest';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let repository: string;
  if (hasRegistry) repository = rest;
  else if (slash >= 0) repository = `docker.io/${rest}`;
  else repository = `docker.io/library/${rest}`;
  const familiarName = repository.replace(/^docker\.io\/(library\/)?/, '');
  const familiar = `${familiarName}${tag !== '' ? `:${tag}` : ''}${digest !== '' ? `@${digest}` : ''}`;
  return { repository, tag, digest, familiar };
}

/** Splits "repo[:tag]" as `docker import`/`tag` take it: the tag is after the last colon past the last slash. */
export function splitRepoTag(ref: string): { repo: string; tag: string } {
  const lastColon = ref.lastIndexOf(':');
  if (lastColon > ref.lastIndexOf('/')) return { repo: ref.slice(0, lastColon), tag: ref.slice(lastColon + 1) };
  return { repo: ref, tag: '' };
}
