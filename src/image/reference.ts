import { invalidParameter } from '../base/engine-error.js';

/**
 * Image references in Docker's grammar (distribution/reference), written from its documented
 * grammar: `[domain[:port]/]path[:tag][@digest]`. Pure; every function here is total or throws
 * EngineError('InvalidParameter') with Docker's message.
 */
export interface ImageRef {
  /** "docker.io", "localhost:5000", "registry.example.com". */
  domain: string;
  /** Repository path inside the domain: "library/busybox", "alice/app". */
  path: string;
  tag?: string;
  /** "sha256:<hex>" */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar, piece by piece, as the reference package documents it.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRe = new RegExp(`^${tagPat}$`);
const identifierRe = /^[a-f0-9]{64}$/;

const badFormat = () => invalidParameter('invalid reference format');

function validateDigest(d: string): string {
  const [alg, hex = ''] = d.split(':');
  if (alg !== 'sha256') throw invalidParameter('unsupported digest algorithm');
  if (!/^[a-f0-9]{64}$/.test(hex)) throw invalidParameter('invalid checksum digest format');
  return d;
}

/** Docker's `reference.Parse`: no normalisation, the domain is whatever the grammar found. */
function parseExact(s: string): ImageRef {
  const m = referenceRe.exec(s);
  if (!m) {
    if (s === '') throw invalidParameter('repository name must have at least one component');
    if (referenceRe.test(s.toLowerCase())) throw invalidParameter('repository name must be lowercase');
    throw badFormat();
  }
  const name = m[1] ?? '';
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidParameter(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const nm = anchoredNameRe.exec(name);
  if (!nm) throw badFormat();
  const ref: ImageRef = { domain: nm[1] ?? '', path: nm[2] ?? '' };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) ref.digest = validateDigest(m[3]);
  return ref;
}

/** A first path component is a registry domain iff it has "." or ":" or is "localhost" (or has uppercase letters). */
function splitDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Docker's `ParseNormalizedNamed`: "busybox" → {docker.io, library/busybox}. No default tag is
 * added (see withDefaultTag). Rejects 64-hex strings, which would be ambiguous with image IDs.
 */
export function parseNormalizedReference(s: string): ImageRef {
  if (identifierRe.test(s)) {
    throw invalidParameter(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw invalidParameter(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const ref = parseExact(`${domain}/${remainder}`);
  if (ref.domain === '') throw badFormat();
  return ref;
}

/** Docker's `TagNameOnly`: adds ":latest" when there is neither tag nor digest. */
export function withDefaultTag(ref: ImageRef): ImageRef {
  if (ref.tag === undefined && ref.digest === undefined) return { ...ref, tag: DEFAULT_TAG };
  return ref;
}

export function isValidTag(tag: string): boolean {
  return anchoredTagRe.test(tag);
}

/** "docker.io/library/busybox" */
export function repositoryName(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}`;
}

/** "docker.io/library/busybox:latest", "docker.io/alice/app@sha256:…" */
export function normalizedString(ref: ImageRef): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The repository as users type it: "busybox", "alice/app", "localhost:5000/x". */
export function familiarName(ref: ImageRef): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const p = ref.path;
  if (p.startsWith(OFFICIAL_PREFIX) && !p.slice(OFFICIAL_PREFIX.length).includes('/')) {
    return p.slice(OFFICIAL_PREFIX.length);
  }
  return p;
}

/** "busybox:latest", "alice/app:1", "localhost:5000/x:1" */
export function familiarString(ref: ImageRef): string {
  let s = familiarName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Familiar form of an already-normalised string (as stored in the tags table). */
export function familiarize(normalized: string): string {
  return familiarString(parseNormalizedReference(normalized));
}
