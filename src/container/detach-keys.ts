import { invalidParameter } from '../base/engine-error.js';

/** Docker's default detach sequence: ctrl-p ctrl-q. */
export const defaultDetachKeys = Buffer.from([0x10, 0x11]);

const ctrlNames = ['@', ...'abcdefghijklmnopqrstuvwxyz', '[', '\\', ']', '^', '_'];

/** "ctrl-p,ctrl-q" / "a,ctrl-@" → bytes, as docker's term.ToBytes; "" → the default. */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return defaultDetachKeys;
  const out: number[] = [];
  for (const key of spec.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const lower = key.toLowerCase();
    const code = lower.startsWith('ctrl-') && lower.length === 6 ? ctrlNames.indexOf(lower.slice(5)) : -1;
    if (code < 0) throw invalidParameter(`Invalid detach keys (${spec}) provided: Unknown character: '${key}'`);
    out.push(code);
  }
  return Buffer.from(out);
}

/**
 * Watches a stdin byte stream for the detach sequence, as docker's escape proxy does: bytes
 * that might start the sequence are held back; if the sequence completes the attach ends and
 * they are never sent; if it breaks off they are sent after all.
 */
export class DetachScanner {
  private matched = 0;
  private done = false;

  constructor(private readonly keys: Buffer = defaultDetachKeys) {}

  /** The bytes to forward for this chunk, and whether the sequence has now completed. */
  push(chunk: Buffer): { forward: Buffer; detached: boolean } {
    if (this.done || this.keys.length === 0) return { forward: this.done ? Buffer.alloc(0) : chunk, detached: this.done };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.done = true;
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      // The held prefix was not the sequence after all: release it, then look at this byte afresh.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i] ?? 0);
      this.matched = 0;
      if (byte === this.keys[0]) this.matched = 1;
      else out.push(byte);
      if (this.matched === this.keys.length) {
        this.done = true;
        return { forward: Buffer.from(out), detached: true };
      }
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
