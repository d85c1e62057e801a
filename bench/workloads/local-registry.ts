// A throwaway registry on 127.0.0.1 for push/pull: Debian's docker-registry (distribution 2.8)
// when installed — a third party, so neither engine's own server is favoured — else skiff's own
// `registry serve`. No auth, no TLS: both engines treat 127.0.0.0/8 as an insecure registry.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findOnPath } from '../../test/e2e/fixtures.js';
import { startRegistry } from '../../test/e2e/registry-server-client.js';

export interface LocalRegistry {
  /** "127.0.0.1:<port>" */
  host: string;
  kind: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function answers(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: Number(host.split(':')[1]), path: '/v2/', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startLocalRegistry(parent: string): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(parent, 'reg-'));
  const bin = findOnPath('docker-registry');
  if (bin === undefined) {
    const reg = await startRegistry(['--root', dir]);
    return {
      host: new URL(reg.url).host,
      kind: "skiff's registry server",
      async stop() {
        await reg.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const port = await freePort();
  const cfg = join(dir, 'config.yml');
  writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child: ChildProcess = spawn(bin, ['serve', cfg], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const host = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (await answers(host)) return { host, kind: 'docker-registry 2.8 (Debian)', stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry on ${host} did not come up`);
}
