import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../base/log.js';
import { createApiServer } from './http-server.js';
import { Router } from './router.js';

function get(socketPath: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('api server answers an unknown endpoint with a 404 naming the method and path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-http-'));
  const sock = join(dir, 's.sock');
  const router = new Router();
  router.add([{ method: 'GET', path: '/known', handler: (ctx) => void ctx.res?.end('ok') }]);
  const server = createApiServer(router, silentLogger);
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    const r = await get(sock, 'GET', '/v1.41/plugins?filters=%7B%7D');
    assert.equal(r.status, 404);
    assert.deepEqual(JSON.parse(r.body), { message: 'page not found: GET /plugins is not supported by this engine' });
    const unversioned = await get(sock, 'POST', '/swarm/init');
    assert.equal(unversioned.status, 404);
    assert.match(unversioned.body, /page not found: POST \/swarm\/init/);
    assert.equal((await get(sock, 'GET', '/v1.41/known')).body, 'ok');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
