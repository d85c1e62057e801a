// A Debian docker-registry on 127.0.0.1 with htpasswd auth, and a proxy in front of it that can
// cut or corrupt blob downloads; both started and stopped by the tests that use them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { findOnPath } from './fixtures.js';

export interface TestRegistry {
  /** "127.0.0.1:<port>" of the proxy, which is what the tests push to and pull from. */
  host: string;
  /** "127.0.0.1:<port>" of the registry itself, without the fault proxy. */
  directHost: string;
  proxy: FaultProxy;
  /** GET/HEAD on the registry with the test user's credentials. */
  get(path: string, accept?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  stop(): Promise<void>;
}

export interface FaultProxy {
  /** Blob GETs without a Range header are cut after this many bytes (once per digest), when set. */
  cutAfter: number | undefined;
  /** Blob GETs get one byte flipped at this offset, when set. */
  corruptAt: number | undefined;
  /** Every blob GET seen: digest and Range header. */
  blobGets: Array<{ digest: string; range: string | undefined }>;
}

export const USER = 'alice';
export const PASSWORD = 'secret-pw';

export function registryMissing(): string | false {
  if (!findOnPath('docker-registry')) return 'docker-registry is not installed (apt-get install docker-registry)';
  if (!findOnPath('htpasswd')) return 'htpasswd is not installed (apt-get install apache2-utils)';
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`registry on port ${port} did not come up`);
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync('/tmp/skiff-reg-');
  const regPort = await freePort();
  const hp = spawnSync('htpasswd', ['-Bbn', USER, PASSWORD], { encoding: 'utf8' });
  if (hp.status !== 0) throw new Error(`htpasswd failed: ${hp.stderr}`);
  writeFileSync(join(dir, 'htpasswd'), hp.stdout);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${regPort}`,
      'auth:',
      '  htpasswd:',
      '    realm: basic-realm',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor(regPort);

  const proxy: FaultProxy = { cutAfter: undefined, corruptAt: undefined, blobGets: [] };
  const cutDone = new Set<string>();
  const server = http.createServer((req, res) => {
    const blob = req.method === 'GET' ? /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '')?.[1] : undefined;
    if (blob) proxy.blobGets.push({ digest: blob, range: req.headers.range });
    const up = http.request({ host: '127.0.0.1', port: regPort, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const cut = blob && proxy.cutAfter !== undefined && !req.headers.range && !cutDone.has(blob) && ur.statusCode === 200 && Number(ur.headers['content-length']) > proxy.cutAfter;
      let sent = 0;
      ur.on('data', (chunk: Buffer) => {
        let c = chunk;
        if (blob && proxy.corruptAt !== undefined && ur.statusCode === 200 && sent <= proxy.corruptAt && proxy.corruptAt < sent + c.length) {
          c = Buffer.from(c);
          const at = proxy.corruptAt - sent;
          c[at] = (c[at] as number) ^ 0xff;
        }
        if (cut && sent + c.length > (proxy.cutAfter as number)) {
          res.write(c.subarray(0, (proxy.cutAfter as number) - sent));
          cutDone.add(blob);
          ur.destroy();
          res.socket?.destroy();
          return;
        }
        sent += c.length;
        res.write(c);
      });
      ur.on('end', () => res.end());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const proxyPort = (server.address() as net.AddressInfo).port;
  const authz = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  return {
    host: `127.0.0.1:${proxyPort}`,
    directHost: `127.0.0.1:${regPort}`,
    proxy,
    get: (path, accept) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: regPort, path, headers: { Authorization: authz, ...(accept ? { Accept: accept } : {}) } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (b: Buffer) => parts.push(b));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        });
        req.on('error', reject);
        req.end();
      }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (child.exitCode === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
