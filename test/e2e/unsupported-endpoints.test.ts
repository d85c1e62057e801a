// Clients that ask for something skiff does not serve must fail fast with a 4xx that names what
// is missing, never hang or get a 500: BuildKit's /session and /grpc upgrades, a BuildKit build,
// an unknown endpoint, an unsupported create field. What dockerd does the same way (an unknown
// endpoint, the docker CLI refusing DOCKER_BUILDKIT=1 without buildx) runs against a private
// dockerd too; dockerd has BuildKit, so the BuildKit refusals are checked on skiffd only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { startDaemon } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';
import type { CommandOptions, CommandResult } from './run-command.js';

interface Engine {
  socket: string;
  docker(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const engines: Array<{ name: 'skiffd' | 'dockerd'; skip: string | false; start: () => Promise<Engine> }> = [
  {
    name: 'skiffd',
    skip: !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false,
    start: async () => {
      const d = await startDaemon();
      const imp = await d.docker(['import', await busyboxTarball(), 'busybox']);
      assert.equal(imp.code, 0, `import: ${imp.stderr}`);
      return { socket: d.socket, docker: d.docker, logTail: (n) => d.logTail(n), stop: () => d.stop() };
    },
  },
  {
    name: 'dockerd',
    skip: !isRoot() ? 'e2e tests need root' : findOnPath('dockerd') === undefined ? 'dockerd is not installed (the oracle)' : false,
    start: async () => {
      const dd = await startPrivateDockerd();
      if (dd === undefined) throw new Error('could not start a private dockerd');
      return { socket: dd.socket, docker: dd.docker, logTail: () => '', stop: () => dd.stop() };
    },
  },
];

interface RawReply {
  status: number;
  body: string;
  /** True when the server closed the connection (what a refused upgrade must do). */
  closed: boolean;
  ms: number;
}

/**
 * Sends one raw HTTP/1.1 request, as Go's DialHijack does for BuildKit (`Upgrade: h2c`), and
 * reads until the server closes or `waitMs` passes, so a hang shows up as closed=false.
 */
function rawRequest(socket: string, head: string, waitMs = 5_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = connect(socket);
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const text = Buffer.concat(parts).toString();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, body, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on('data', (b: Buffer) => parts.push(b));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', reject);
    s.write(head);
  });
}

const upgradeHead = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n` +
  `X-Docker-Expose-Session-Uuid: 3c8b0ba0w2ymlw6q3ueqz1kbs\r\nX-Docker-Expose-Session-Name: ctx\r\nContent-Length: 0\r\n\r\n`;

for (const engine of engines) {
  describe(`unsupported requests against ${engine.name}`, { skip: engine.skip, timeout: 240_000 }, () => {
    let e: Engine;
    let docker: Docker;
    let ctxDir = '';
    before(async () => {
      e = await engine.start();
      docker = new Docker({ socketPath: e.socket });
      ctxDir = mkdtempSync('/tmp/skiff-unsup-');
      writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM busybox\nRUN true\n');
    });
    after(async () => {
      rmSync(ctxDir, { recursive: true, force: true });
      await e?.stop();
    });

    it('an unknown endpoint is a 404 "page not found" JSON error, on a versioned and a bare path', async () => {
      for (const path of ['/v1.41/containers/json/frobnicate', '/frobnicate']) {
        const r = await rawRequest(e.socket, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        assert.equal(r.status, 404, `${path}: ${r.body}`);
        const msg = (JSON.parse(r.body) as { message: string }).message;
        assert.match(msg, /^page not found/);
        if (engine.name === 'skiffd') {
          assert.ok(msg.includes(`GET ${path.replace(/^\/v1\.41/, '')}`), `the message should name the call: ${msg}`);
        }
      }
      if (engine.name === 'skiffd') {
        // The operator sees the endpoint in the daemon's log at the default level.
        const log = e.logTail(400);
        assert.match(log, /"msg":"unsupported endpoint"[^\n]*"path":"\/v1\.41\/containers\/json\/frobnicate"/);
      }
    });

    it('docker build with DOCKER_BUILDKIT=1 fails at once with the buildx message, not a hang', async () => {
      const started = Date.now();
      const r = await e.docker(['build', '-t', 'bk', ctxDir], { env: { DOCKER_BUILDKIT: '1' }, timeoutMs: 30_000 });
      assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr, /BuildKit is enabled but the buildx component is missing or broken/);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });

    it('BuildKit session and grpc upgrades get a 404 naming BuildKit and the connection is closed', { skip: engine.name === 'dockerd' ? 'dockerd has BuildKit: it switches protocols' : false }, async () => {
      for (const path of ['/session', '/v1.50/session', '/grpc']) {
        const r = await rawRequest(e.socket, upgradeHead(path));
        assert.equal(r.status, 404, `${path}: ${r.body}`);
        assert.ok(r.closed, `${path}: the connection was left open`);
        assert.ok(r.ms < 5_000, `${path}: took ${r.ms} ms`);
        const msg = (JSON.parse(r.body) as { message: string }).message;
        assert.match(msg, /^BuildKit is not supported by this engine \(POST \/(session|grpc)\)/);
        assert.match(msg, /DOCKER_BUILDKIT=0/);
      }
      // Without an upgrade header too (a plain POST), the same clear answer.
      const plain = await rawRequest(e.socket, 'POST /session HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      assert.equal(plain.status, 404);
      assert.match(plain.body, /BuildKit is not supported/);
    });

    // dockerode 4 opens a BuildKit session (POST /session, h2c) before it posts the build.
    it('a BuildKit build through dockerode (version 2) fails at its session with a 404 that says so', { skip: engine.name === 'dockerd' ? 'dockerd has BuildKit' : false }, async () => {
      const p = pack();
      p.entry({ name: 'Dockerfile' }, 'FROM busybox\n');
      p.finalize();
      const started = Date.now();
      await assert.rejects(
        docker.buildImage(p as unknown as NodeJS.ReadableStream, { t: 'bk2', version: '2' }),
        (err: { statusCode?: number; message?: string }) => {
          assert.equal(err.statusCode, 404);
          assert.match(String(err.message), /BuildKit is not supported by this engine \(POST \/session\)/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 10_000);
    });

    it('a create with a HostConfig field skiff lacks is a 400 that names the field', { skip: engine.name === 'dockerd' ? 'dockerd supports volume drivers' : false }, async () => {
      await assert.rejects(
        docker.createContainer({ Image: 'busybox', HostConfig: { VolumeDriver: 'convoy' } }),
        (err: { statusCode?: number; message?: string }) => {
          assert.equal(err.statusCode, 400);
          assert.match(String(err.message), /HostConfig\.VolumeDriver is not supported by this engine/);
          return true;
        },
      );
      assert.deepEqual(await docker.listContainers({ all: true }), [], 'a refused create leaves no container');
    });
  });
}
