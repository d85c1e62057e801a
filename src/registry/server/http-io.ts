import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './registry-error.js';

/** Small request/response helpers shared by the endpoint handlers. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers });
  res.end(req.method === 'HEAD' ? undefined : data);
}

/** The media type of Content-Type, parameters dropped. */
export function mediaTypeOf(req: IncomingMessage): string | undefined {
  const ct = req.headers['content-type'];
  return ct === undefined ? undefined : (ct.split(';')[0] ?? '').trim().toLowerCase();
}

export function contentLengthOf(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw === undefined || !/^\d+$/.test(raw) ? undefined : Number(raw);
}

/**
 * Reads a whole (small) body, refusing it as soon as it passes `limit` bytes with 413 and `code`,
 * without buffering the rest.
 */
export async function readBody(req: IncomingMessage, limit: number, code: 'MANIFEST_INVALID' | 'SIZE_INVALID'): Promise<Buffer> {
  const tooLarge = () => new RegistryError(code, { status: 413, detail: `body exceeds ${limit} bytes` });
  const declared = contentLengthOf(req);
  if (declared !== undefined && declared > limit) throw tooLarge();
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) throw tooLarge();
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Empty bodies as an async iterable, for finishing an upload without a final chunk. */
export async function* noBody(): AsyncGenerator<Buffer> {}
