// readUpgradeBody splits an upgraded request's bytes into its body and the stdin after it; the
// attach route relies on it so dockerode's JSON options never reach a container's stdin.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { RequestContext } from '../request-context.js';
import { readUpgradeBody } from './exec-routes.js';

function upgraded(contentLength: number | undefined, head: string): { ctx: RequestContext; socket: PassThrough } {
  const socket = new PassThrough();
  const headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  const ctx: RequestContext = {
    req: { headers } as unknown as IncomingMessage,
    res: undefined,
    upgrade: { socket, head: Buffer.from(head) },
    params: {},
    query: new URLSearchParams(),
    apiVersion: '1.50',
    signal: new AbortController().signal,
  };
  return { ctx, socket };
}

test('read upgrade body leaves only the bytes after the JSON body as stdin', async () => {
  const body = '{"stream":true,"stdin":true,"hijack":true}';
  const { ctx } = upgraded(body.length, body + 'hello\n');
  const r = await readUpgradeBody(ctx);
  assert.equal(r.body.toString(), body);
  assert.equal(r.rest.toString(), 'hello\n');
});

test('read upgrade body waits for a body that arrives after the head', async () => {
  const body = '{"stdin":true}';
  const { ctx, socket } = upgraded(body.length, body.slice(0, 5));
  const pending = readUpgradeBody(ctx);
  socket.write(body.slice(5) + 'typed');
  const r = await pending;
  assert.equal(r.body.toString(), body);
  assert.equal(r.rest.toString(), 'typed');
});

test('read upgrade body without a Content-Length treats everything as stdin', async () => {
  const { ctx } = upgraded(undefined, 'abc');
  const r = await readUpgradeBody(ctx);
  assert.equal(r.body.length, 0);
  assert.equal(r.rest.toString(), 'abc');
});
