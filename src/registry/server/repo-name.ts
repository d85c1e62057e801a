/**
 * The distribution spec's grammar for repository names and tags. Names are matched on the raw,
 * undecoded path, so `..`, `%2e%2e` and empty components never reach the file system or the DB.
 */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Only sha256 is stored; other algorithms are refused with DIGEST_INVALID rather than guessed at. */
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Anything shaped like "<algorithm>:<encoded>" counts as an attempted digest reference. */
const DIGEST_LIKE_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** distribution's limit: the whole name, registry host included, fits in 255 characters. */
export const MAX_NAME_LENGTH = 255;

export const isValidRepoName = (name: string): boolean => name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
export const isValidTag = (tag: string): boolean => TAG_RE.test(tag);
export const isSupportedDigest = (s: string): boolean => DIGEST_RE.test(s);
export const looksLikeDigest = (s: string): boolean => s.includes(':') && DIGEST_LIKE_RE.test(s);
