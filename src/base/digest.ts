import { createHash, type Hash } from 'node:crypto';

/** "sha256:<64 hex>". */
export type Digest = `sha256:${string}`;

export const isDigest = (s: string): s is Digest => /^sha256:[0-9a-f]{64}$/.test(s);

export function sha256Of(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestHex(d: Digest | string): string {
  return d.replace(/^sha256:/, '');
}

export function newHasher(): Hash {
  return createHash('sha256');
}

export function hasherDigest(h: Hash): Digest {
  return `sha256:${h.digest('hex')}`;
}
