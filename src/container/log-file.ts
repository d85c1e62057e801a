import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { invalidParameter } from '../base/engine-error.js';
import { parseNanoTime } from '../base/rfc3339.js';
import { defaultLogLimits, type LogLimits } from '../sys/monitor.js';

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

/** How many rotated files (`<log>.1` …) a reader looks at; skiff's own cap is far lower. */
const maxRotated = 20;

/** The rotated files of a log that exist, oldest first (`<log>.N` … `<log>.1`). */
export function rotatedFiles(path: string): string[] {
  const found: string[] = [];
  for (let i = 1; i <= maxRotated && existsSync(`${path}.${i}`); i++) found.unshift(`${path}.${i}`);
  return found;
}

/**
 * Reads a json-file log from a byte offset on, line by line, remembering where it stopped so
 * that a follower can call `read()` again whenever the file grows. The monitor rotates the log
 * by renaming it to `<log>.1` (see skiff-monitor.c): the cursor notices by inode, finishes the
 * file it was reading under its new name, then goes on with the new file from its start. A
 * cursor made at offset 0 reads the rotated files first, so `docker logs` sees all that is kept.
 */
export class LogCursor {
  private partial = '';
  private ino: number | undefined;
  private backlog: string[];

  constructor(
    private readonly path: string,
    private offset = 0,
  ) {
    this.backlog = offset === 0 ? rotatedFiles(path) : [];
    if (offset > 0) this.ino = inodeOf(path);
  }

  /** Synchronous, so the final drain can happen right when a container exits (before auto-remove deletes the file). */
  readSync(): LogEntry[] {
    const entries: LogEntry[] = [];
    for (let f = this.backlog.shift(); f !== undefined; f = this.backlog.shift()) {
      this.drain(f, 0, entries);
      this.partial = '';
    }
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return entries;
    }
    try {
      const st = fstatSync(fd);
      if (this.ino !== undefined && st.ino !== this.ino) {
        // Rotated since the last read: the rest of our file now lives under a numbered name,
        // and any newer rotated files come between it and the current one.
        const rotated = rotatedFiles(this.path);
        const at = rotated.findIndex((f) => inodeOf(f) === this.ino);
        if (at >= 0) {
          this.drain(rotated[at]!, this.offset, entries);
          for (const f of rotated.slice(at + 1)) {
            this.partial = '';
            this.drain(f, 0, entries);
          }
        }
        this.offset = 0;
        this.partial = '';
      } else if (st.size < this.offset) {
        // Truncated in place (a single-file cap): start over.
        this.offset = 0;
        this.partial = '';
      }
      this.ino = st.ino;
      this.offset = readFrom(fd, this.offset, (chunk) => this.take(chunk, entries));
    } finally {
      closeSync(fd);
    }
    return entries;
  }

  /** Reads `path` from `from` to its end into `entries` (the cursor's own offset is not touched). */
  private drain(path: string, from: number, entries: LogEntry[]): void {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      readFrom(fd, from, (chunk) => this.take(chunk, entries));
    } finally {
      closeSync(fd);
    }
  }

  private take(chunk: Buffer, entries: LogEntry[]): void {
    const lines = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const e = parseLogLine(line);
      if (e) entries.push(e);
    }
  }

  /** Reads are small local-file reads whose parsing is synchronous anyway; one code path serves both. */
  async read(): Promise<LogEntry[]> {
    return this.readSync();
  }
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** Reads fd from `offset` to EOF in chunks; returns the new offset. */
function readFrom(fd: number, offset: number, onChunk: (chunk: Buffer) => void): number {
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, offset);
    if (n === 0) return offset;
    offset += n;
    onChunk(buf.subarray(0, n));
  }
}

/**
 * `--log-opt` for the json-file driver → the monitor's rotation limits. Without options skiff
 * caps logs at 10 MiB × 3 files (`defaultLogLimits`; Docker's own default is unbounded).
 * Errors use Docker's wording.
 */
export function parseLogOptions(config: unknown): LogLimits {
  if (config === null || config === undefined) return defaultLogLimits;
  if (typeof config !== 'object' || Array.isArray(config)) throw invalidParameter('LogConfig.Config must be an object');
  const opts = config as Record<string, unknown>;
  let maxSize: number | undefined;
  let maxFiles: number | undefined;
  for (const [key, raw] of Object.entries(opts)) {
    const value = typeof raw === 'string' ? raw : String(raw);
    switch (key) {
      case 'max-size':
        maxSize = parseSize(value);
        break;
      case 'max-file': {
        const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
        if (!Number.isInteger(n)) throw invalidParameter(`strconv.Atoi: parsing "${value}": invalid syntax`);
        if (n < 1) throw invalidParameter('max-file cannot be less than 1');
        maxFiles = n;
        break;
      }
      case 'compress':
        if (value !== 'false' && value !== '0') throw invalidParameter('log-opt compress is not supported by this engine yet');
        break;
      case 'tag':
        break; // json-file does not use it
      case 'labels':
      case 'labels-regex':
      case 'env':
      case 'env-regex':
        throw invalidParameter(`log-opt ${key} is not supported by this engine yet`);
      default:
        throw invalidParameter(`unknown log opt '${key}' for json-file log driver`);
    }
  }
  if (maxSize === undefined && maxFiles === undefined) return defaultLogLimits;
  if (maxSize === undefined) {
    if (maxFiles !== undefined && maxFiles > 1) throw invalidParameter('max-file cannot be set without max-size');
    return defaultLogLimits;
  }
  return { maxSize, maxFiles: maxFiles ?? 1 };
}

/** Docker's RAMInBytes: "10m", "1.5g", "512k", "100" (bytes); -1 means unbounded (0 here). */
function parseSize(value: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(value.trim());
  if (!m) throw invalidParameter(`invalid size: '${value}'`);
  const n = Number(m[1]);
  if (n < 0) return 0;
  const unit = 'bkmgtp'.indexOf((m[2] || 'b').toLowerCase());
  return Math.floor(n * 1024 ** unit);
}

/** A container's log limits from its create request's HostConfig.LogConfig. */
export function containerLogLimits(hostConfig: Record<string, unknown>): LogLimits {
  const log = hostConfig['LogConfig'] as { Config?: unknown } | null | undefined;
  try {
    return parseLogOptions(log?.Config);
  } catch {
    return defaultLogLimits; // refused at create; an old record cannot stop a start
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
