import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { RegistrySession } from './registry-session.js';

// A server that drops every second request arriving on a kept-alive connection without an
// answer: what a client sees when the server's keep-alive timeout closed the connection just
// as the client reused it (the race that cut pushes with "socket hang up").
describe('registry session on a server that closes idle connections', () => {
  let server: Server;
  let host: string;
  const perSocket = new WeakMap<Socket, number>();
  let connections = 0;
  const bodies: string[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        if (body) bodies.push(body);
        res.writeHead(req.method === 'PATCH' ? 202 : 200, { 'Content-Length': '0' });
        res.end();
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const session = (): RegistrySession =>
    new RegistrySession({ domain: host, host, schemes: ['http'], verifyTls: false, ca: [] }, {});

  it('registry session sends a request again when its pooled connection was closed', async () => {
    const s = session();
    try {
      assert.equal(await s.ping(), 200);
      await sleep(50); // let the ping's socket go back to the pool, so the next request reuses it
      const before = connections;
      const res = await s.request({ method: 'GET', path: '/v2/app/manifests/v1' });
      res.resume();
      assert.equal(res.statusCode, 200);
      assert.equal(connections - before, 1, 'the retry should have opened exactly one new connection');
    } finally {
      s.close();
    }
  });

  it('registry session sends a streamed body on a fresh connection, never a pooled one', async () => {
    const s = session();
    try {
      assert.equal(await s.ping(), 200);
      await sleep(50);
      const res = await s.request({
        method: 'PATCH',
        path: '/v2/app/blobs/uploads/1',
        body: () => Readable.from([Buffer.from('layer '), Buffer.from('bytes')]),
      });
      res.resume();
      assert.equal(res.statusCode, 202);
      assert.ok(bodies.includes('layer bytes'), `the server received ${JSON.stringify(bodies)}`);
    } finally {
      s.close();
    }
  });
});
