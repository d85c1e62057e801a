// testcontainers-node (npm) against skiffd and, where it is installed, a private dockerd: a
// GenericContainer with an exposed port and the listening-port wait strategy, files copied in
// before and after start, exec, a log-message wait, and stop (which removes the container).
// Ryuk is disabled: no registry here serves its image.
//
// testcontainers picks and caches its engine client once per process, so this file runs in two
// roles: the parent (no SKIFF_TC_SOCKET) starts each engine and re-runs this file as a child
// process pointed at it; the child (SKIFF_TC_SOCKET set) holds the testcontainers tests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { busyboxTarball, findOnPath, isRoot } from './fixtures.js';
import { startDaemon } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';

const childSocket = process.env['SKIFF_TC_SOCKET'];
const childNetwork = process.env['SKIFF_TC_NETWORK'] ?? '';

/**
 * A /24 in 10.251–10.254 that no host route covers: skiffd's own pool (10.210–10.250) is shared
 * by every daemon other tests run on this host at the same time, so the test brings its own.
 */
function freeSubnet(): string {
  const routes = readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] !== undefined && f[7] !== undefined && f[7] !== '00000000')
    .map((f) => ({ dest: Buffer.from(f[1] ?? '', 'hex').reverse().readUInt32BE(0), mask: Buffer.from(f[7] ?? '', 'hex').reverse().readUInt32BE(0) }));
  for (let i = 0; i < 200; i++) {
    const b = 251 + Math.floor(Math.random() * 4);
    const c = Math.floor(Math.random() * 256);
    const net = ((10 << 24) | (b << 16) | (c << 8)) >>> 0;
    if (!routes.some((r) => ((net & r.mask) >>> 0) === r.dest || ((r.dest & 0xffffff00) >>> 0) === net)) return `10.${b}.${c}.0/24`;
  }
  throw new Error('no free /24 in 10.251.0.0–10.254.255.0');
}

interface Engine {
  socket: string;
  /** Env for the child beyond DOCKER_HOST. */
  env: Record<string, string>;
  logTail(): string;
  stop(): Promise<void>;
}

const engines: Array<{ name: string; skip: string | false; start: () => Promise<Engine> }> = [
  {
    name: 'skiffd',
    skip: isRoot() ? false : 'e2e tests need root',
    start: async () => {
      const d = await startDaemon();
      const imp = await d.docker(['import', await busyboxTarball(), 'busybox']);
      assert.equal(imp.code, 0, `import: ${imp.stderr}`);
      return { socket: d.socket, env: {}, logTail: () => d.logTail(), stop: () => d.stop() };
    },
  },
  {
    name: 'dockerd',
    skip: !isRoot() ? 'e2e tests need root' : findOnPath('dockerd') === undefined ? 'dockerd is not installed (the oracle)' : false,
    start: async () => {
      const dd = await startPrivateDockerd();
      if (dd === undefined) throw new Error('could not start a private dockerd');
      // The private dockerd runs with --bridge=none: it has no "bridge" network, whose gateway
      // testcontainers reads as the host when it runs inside a container, so name the host.
      return { socket: dd.socket, env: { TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' }, logTail: () => '', stop: () => dd.stop() };
    },
  },
];

/** Runs this file as a child pointed at an engine; resolves with its exit code and output. */
function runChild(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, TESTCONTAINERS_RYUK_DISABLED: 'true' };
  // The test runner marks its own children; a child that sees the mark reports to it, not to us.
  delete childEnv['NODE_TEST_CONTEXT'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString() });
    });
  });
}

if (childSocket === undefined) {
  for (const engine of engines) {
    describe(`testcontainers against ${engine.name}`, { skip: engine.skip, timeout: 300_000 }, () => {
      let e: Engine;
      let network = '';
      before(async () => {
        e = await engine.start();
        network = `tc-net-${process.pid}`;
        await new Docker({ socketPath: e.socket }).createNetwork({ Name: network, Driver: 'bridge', IPAM: { Driver: 'default', Config: [{ Subnet: freeSubnet() }] } });
      });
      after(async () => {
        if (e === undefined) return;
        await new Docker({ socketPath: e.socket }).getNetwork(network).remove().catch(() => {});
        await e.stop();
      });

      it('the testcontainers suite passes in a process of its own', async () => {
        const r = await runChild({ ...e.env, DOCKER_HOST: `unix://${e.socket}`, SKIFF_TC_SOCKET: e.socket, SKIFF_TC_NETWORK: network });
        assert.equal(r.code, 0, `the testcontainers child failed:\n${r.output}\n--- daemon log:\n${e.logTail()}`);
        // A child that registered no tests would pass too: make sure they all ran and passed.
        assert.match(r.output, /# pass 3\b/, r.output);
        assert.match(r.output, /# fail 0\b/, r.output);
      });
    });
  }
} else {
  // testcontainers reads DOCKER_HOST and the Ryuk switch when it first connects; both are set
  // by the parent before this process started.
  const { GenericContainer, Wait } = await import('testcontainers');
  const docker = new Docker({ socketPath: childSocket });

  describe('testcontainers GenericContainer', { timeout: 200_000 }, () => {
    const dir = mkdtempSync('/tmp/skiff-tc-');
    before(() => writeFileSync(join(dir, 'from-host.txt'), 'a file from the host\n'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('starts with an exposed port once it listens, serves it on the mapped host port, and stops and removes it', async () => {
      const started = await new GenericContainer('busybox')
        .withNetworkMode(childNetwork)
        .withExposedPorts(80)
        .withCommand(['sh', '-c', 'mkdir -p /www && echo hello from busybox > /www/index.html && exec httpd -f -p 80 -h /www'])
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(60_000)
        .start();
      const id = started.getId();
      try {
        const port = started.getMappedPort(80);
        assert.ok(port > 0 && port < 65536, `mapped port ${port}`);
        const res = await fetch(`http://${started.getHost()}:${port}/index.html`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'hello from busybox\n');
        const info = await docker.getContainer(id).inspect();
        assert.equal(info.State.Running, true);
        assert.equal(info.Config.Labels['org.testcontainers'], 'true');
      } finally {
        await started.stop();
      }
      const left = await docker.listContainers({ all: true, filters: { id: [id] } });
      assert.deepEqual(left, [], 'stop() should remove the container');
    });

    it('copies content and files in before start and content after, and exec reports output and exit codes', async () => {
      const started = await new GenericContainer('busybox')
        .withCommand(['sleep', '300'])
        .withCopyContentToContainer([{ content: 'content before start\n', target: '/data/before.txt', mode: 0o640 }])
        .withCopyFilesToContainer([{ source: join(dir, 'from-host.txt'), target: '/data/host.txt' }])
        .start();
      try {
        const before = await started.exec(['cat', '/data/before.txt', '/data/host.txt']);
        assert.deepEqual({ exitCode: before.exitCode, stdout: before.stdout }, { exitCode: 0, stdout: 'content before start\na file from the host\n' });
        const mode = await started.exec(['stat', '-c', '%a', '/data/before.txt']);
        assert.equal(mode.stdout.trim(), '640');

        await started.copyContentToContainer([{ content: 'content after start\n', target: '/data/after.txt' }]);
        const afterCopy = await started.exec(['cat', '/data/after.txt']);
        assert.equal(afterCopy.stdout, 'content after start\n');

        const failing = await started.exec(['sh', '-c', 'echo to-out; echo to-err >&2; exit 4']);
        assert.deepEqual(
          { exitCode: failing.exitCode, stdout: failing.stdout, stderr: failing.stderr },
          { exitCode: 4, stdout: 'to-out\n', stderr: 'to-err\n' },
        );
        // Three at once, as testcontainers' own port check runs them.
        const many = await Promise.all([1, 2, 3].map((n) => started.exec(['sh', '-c', `echo n${n}; exit ${n}`])));
        assert.deepEqual(many.map((r) => [r.exitCode, r.stdout]), [[1, 'n1\n'], [2, 'n2\n'], [3, 'n3\n']]);
      } finally {
        await started.stop();
      }
    });

    it('waits for a log message and reads the logs', async () => {
      const started = await new GenericContainer('busybox')
        .withCommand(['sh', '-c', 'sleep 1; echo booting; echo ready to serve; exec sleep 300'])
        .withWaitStrategy(Wait.forLogMessage(/ready to serve/))
        .withStartupTimeout(30_000)
        .start();
      try {
        const logs = await started.logs();
        let text = '';
        await new Promise<void>((resolve, reject) => {
          logs.on('data', (b: Buffer | string) => {
            text += b.toString();
            if (text.includes('ready to serve')) resolve();
          });
          logs.once('error', reject);
          setTimeout(() => reject(new Error(`logs so far: ${JSON.stringify(text)}`)), 10_000);
        });
        logs.destroy();
        assert.match(text, /booting\n[\s\S]*ready to serve\n/);
      } finally {
        await started.stop();
      }
    });
  });
}
