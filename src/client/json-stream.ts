import type { Readable } from 'node:stream';

/** One message of a JSON progress stream (pull, push, import, build). */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

/** An `errorDetail` inside a progress stream; the CLI exits with `code` (default 1). */
export class JsonStreamError extends Error {
  readonly code: number;

  constructor(message: string, code: number) {
    super(message);
    this.name = 'JsonStreamError';
    this.code = code;
  }
}

/**
 * Reads concatenated JSON values separated by any whitespace, calling `onMessage` for each.
 * Messages carrying `errorDetail` reject (after being delivered); a bare `error` field without
 * errorDetail is delivered but not treated as failure, as docker does.
 */
export async function readJsonStream(readable: Readable, onMessage: (m: JsonMessage) => void): Promise<void> {
  let buf = '';
  let err: JsonStreamError | undefined;
  const flushLines = (final: boolean) => {
    const parts = buf.split(/\r?\n/);
    buf = final ? '' : parts.pop() ?? '';
    for (const part of parts) {
      const line = part.trim();
      if (line === '') continue;
      const m = JSON.parse(line) as JsonMessage;
      onMessage(m);
      if (m.errorDetail !== undefined && err === undefined) {
        err = new JsonStreamError(m.errorDetail.message ?? m.error ?? '', m.errorDetail.code || 1);
      }
    }
  };
  readable.setEncoding('utf8');
  for await (const chunk of readable) {
    buf += chunk as string;
    flushLines(false);
  }
  flushLines(true);
  if (err !== undefined) throw err;
}
