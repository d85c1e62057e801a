import { randomBytes } from 'node:crypto';

/** A new 64-hex object ID (containers, execs, volumes), as Docker makes them. */
export function newId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    // Docker never hands out an all-digit short ID: it would read as a number in templates.
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export const isFullId = (s: string): boolean => /^[0-9a-f]{64}$/.test(s);
export const isIdPrefix = (s: string): boolean => /^[0-9a-f]{1,64}$/.test(s);
