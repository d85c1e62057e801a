import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidParameter } from '../base/engine-error.js';

/**
 * What a route handler gets. Exactly one of `res` (a normal request) or `upgrade` (a request
 * that asked for `Upgrade: tcp`, answered on the raw socket) is set.
 */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse | undefined;
  upgrade: { socket: Duplex; head: Buffer } | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The negotiated API version ("1.50" when the path had no prefix). */
  apiVersion: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

const maxJsonBody = 16 * 1024 * 1024;

/** Reads a JSON body; an empty body is `undefined`; malformed JSON is a 400 as in moby. */
export async function readJsonBody<T>(ctx: RequestContext): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxJsonBody) throw invalidParameter('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw invalidParameter(`invalid JSON: ${(err as Error).message}`, err);
  }
}

export function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  const res = ctx.res;
  if (!res) throw new Error('sendJson on an upgraded request');
  const data = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

export function sendEmpty(ctx: RequestContext, status: number): void {
  const res = ctx.res;
  if (!res) throw new Error('sendEmpty on an upgraded request');
  res.writeHead(status);
  res.end();
}
