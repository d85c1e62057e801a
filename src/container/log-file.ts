import { watch } from 'node:fs';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parseNanoTime } from '../base/rfc3339.js';

/** One line of Docker's json-file log. */
export interface LogEntry {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

export function parseLogLine(line: string): LogEntry | undefined {
  try {
    const e = JSON.parse(line) as Partial<LogEntry>;
    if (typeof e.log !== 'string' || (e.stream !== 'stdout' && e.stream !== 'stderr') || typeof e.time !== 'string') return undefined;
    return { log: e.log, stream: e.stream, time: e.time };
  } catch {
    return undefined;
  }
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Reads a json-file log from a byte offset on, line by line, remembering where it stopped so
 * that a follower can call `read()` again whenever the file grows.
 */
export class LogCursor {
  private partial = '';

  constructor(
    private readonly path: string,
    private offset = 0,
  ) {}

  /** The synchronous form, for the final drain right when a container exits (before auto-remove deletes the file). */
  readSync(): LogEntry[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const entries: LogEntry[] = [];
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n === 0) break;
        this.take(buf.subarray(0, n), entries);
      }
    } finally {
      closeSync(fd);
    }
    return entries;
  }

  private take(chunk: Buffer, entries: LogEntry[]): void {
    this.offset += chunk.length;
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const e = parseLogLine(line);
      if (e) entries.push(e);
    }
  }

  async read(): Promise<LogEntry[]> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return [];
    }
    const entries: LogEntry[] = [];
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.take(buf.subarray(0, bytesRead), entries);
      }
    } finally {
      await fh.close();
    }
    return entries;
  }
}

export interface LogSelection {
  stdout: boolean;
  stderr: boolean;
  /** Unix seconds (fractional allowed); 0 = no bound. */
  since: number;
  until: number;
  /** Last N entries; undefined = all. */
  tail: number | undefined;
}

export function selectEntries(entries: LogEntry[], sel: LogSelection): LogEntry[] {
  const sinceNs = BigInt(Math.floor(sel.since * 1e9));
  const untilNs = BigInt(Math.floor(sel.until * 1e9));
  let out = entries.filter((e) => {
    if (e.stream === 'stdout' ? !sel.stdout : !sel.stderr) return false;
    if (sel.since === 0 && sel.until === 0) return true;
    const t = parseNanoTime(e.time);
    if (sel.since > 0 && t < sinceNs) return false;
    if (sel.until > 0 && t > untilNs) return false;
    return true;
  });
  if (sel.tail !== undefined) out = sel.tail <= 0 ? [] : out.slice(-sel.tail);
  return out;
}

/** Calls `onChange` whenever the log file (or its directory, before the file exists) changes. */
export function watchLog(path: string, onChange: () => void): () => void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const watcher = watch(dir, () => onChange());
  watcher.on('error', () => {});
  return () => watcher.close();
}
