import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../client/demux-stream.js';
import { FakeDaemon, sendJson, upgradeHead, type FakeRoute } from './testing/fake-daemon.js';

// dist/src/cli/cli.test.js → repository root
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin', 'skiff');
const ID = 'c0ffee'.padEnd(64, '0');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function skiff(host: string, args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SKIFF_HOST: host, DOCKER_HOST: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function withDaemon(routes: FakeRoute[], fn: (d: FakeDaemon) => Promise<void>): Promise<void> {
  const d = new FakeDaemon(routes);
  await d.start();
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

const waitRoute = (status: number): FakeRoute => ({
  method: 'POST',
  path: /\/wait$/,
  handle: (_r, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    setTimeout(() => res.end(`${JSON.stringify({ StatusCode: status, Error: null })}\n`), 100);
  },
});
const createRoute: FakeRoute = { method: 'POST', path: /^\/containers\/create$/, handle: (_r, res) => sendJson(res, 201, { Id: ID, Warnings: [] }) };
const startRoute: FakeRoute = { method: 'POST', path: /\/start$/, handle: (_r, res) => (res.writeHead(204), res.end()) };

test('skiff run attaches before start, demuxes output and exits with the wait status', async () => {
  await withDaemon(
    [
      createRoute,
      waitRoute(3),
      startRoute,
      {
        method: 'POST',
        path: /\/attach$/,
        upgrade: (_r, sock) => {
          sock.write(upgradeHead(false));
          setTimeout(() => sock.end(Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')])), 150);
        },
      },
    ],
    async (d) => {
      const r = await skiff(d.host, ['run', '--rm', 'busybox', 'echo', 'hi']);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
      assert.equal(r.code, 3);
      assert.deepEqual(d.calls(), [
        'POST /containers/create',
        `POST /containers/${ID}/attach?stderr=1&stdout=1&stream=1`,
        `POST /containers/${ID}/wait?condition=removed`,
        `POST /containers/${ID}/start`,
      ]);
      const body = JSON.parse(d.requests.find((q) => q.path === '/containers/create')?.body ?? '{}') as Record<string, unknown>;
      assert.deepEqual(body['Cmd'], ['echo', 'hi']);
      assert.equal((body['HostConfig'] as Record<string, unknown>)['AutoRemove'], true);
    },
  );
});

test('skiff run -i forwards stdin raw and half-closes it on EOF', async () => {
  await withDaemon(
    [
      createRoute,
      waitRoute(0),
      startRoute,
      {
        method: 'POST',
        path: /\/attach$/,
        upgrade: (_r, sock, head) => {
          sock.write(upgradeHead(false));
          const chunks: Buffer[] = [head];
          sock.on('data', (c: Buffer) => chunks.push(c));
          // echo stdin back only after the client's FIN, proving the half-close
          sock.on('end', () => sock.end(encodeFrame(1, `got:${Buffer.concat(chunks).toString()}`)));
        },
      },
    ],
    async (d) => {
      const r = await skiff(d.host, ['run', '-i', 'busybox', 'cat'], 'input-data\n');
      assert.equal(r.stdout, 'got:input-data\n');
      assert.equal(r.code, 0);
      assert.ok(d.calls().includes(`POST /containers/${ID}/attach?stderr=1&stdin=1&stdout=1&stream=1`));
    },
  );
});

test('skiff run -d prints the full id and does not wait for the exit', async () => {
  await withDaemon([createRoute, waitRoute(0), startRoute], async (d) => {
    const r = await skiff(d.host, ['run', '-d', 'busybox']);
    assert.equal(r.stdout, `${ID}\n`);
    assert.equal(r.code, 0);
    assert.deepEqual(d.calls().slice(1), [`POST /containers/${ID}/wait?condition=next-exit`, `POST /containers/${ID}/start`]);
  });
});

test('skiff run on a missing image reports the pull failure with exit 125', async () => {
  await withDaemon(
    [
      { method: 'POST', path: /^\/containers\/create$/, handle: (_r, res) => sendJson(res, 404, { message: 'No such image: busybox:latest' }) },
      { method: 'POST', path: /^\/images\/create$/, handle: (_r, res) => sendJson(res, 404, { message: 'pull access denied for busybox' }) },
    ],
    async (d) => {
      const r = await skiff(d.host, ['run', 'busybox']);
      assert.equal(r.code, 125);
      assert.equal(
        r.stderr,
        "Unable to find image 'busybox:latest' locally\nskiff: Error response from daemon: pull access denied for busybox\n\nRun 'skiff run --help' for more information\n",
      );
      assert.ok(d.calls().includes('POST /images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest'));
    },
  );
});

test('skiff run maps a missing executable at start to exit 127', async () => {
  await withDaemon(
    [
      createRoute,
      waitRoute(0),
      { method: 'POST', path: /\/attach$/, upgrade: (_r, sock) => sock.write(upgradeHead(false)) },
      { method: 'POST', path: /\/start$/, handle: (_r, res) => sendJson(res, 400, { message: 'exec: "nosuch": executable file not found in $PATH' }) },
    ],
    async (d) => {
      const r = await skiff(d.host, ['run', 'busybox', 'nosuch']);
      assert.equal(r.code, 127);
      assert.match(r.stderr, /^skiff: Error response from daemon: exec: "nosuch": executable file not found in \$PATH\n/);
    },
  );
});

test('skiff ps prints the docker table', async () => {
  const list = [{ Id: ID, Names: ['/happy_fake'], Image: 'busybox', ImageID: 'sha256:x', Command: 'sh', Created: Math.floor(Date.now() / 1000) - 3 * 3600,
    Ports: [], State: 'running', Status: 'Up 5 seconds' }];
  await withDaemon([{ method: 'GET', path: /^\/containers\/json$/, handle: (_r, res) => sendJson(res, 200, list) }], async (d) => {
    const r = await skiff(d.host, ['ps', '-a']);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      'CONTAINER ID   IMAGE     COMMAND   CREATED       STATUS         PORTS     NAMES\n' +
        'c0ffee000000   busybox   "sh"      3 hours ago   Up 5 seconds             happy_fake\n',
    );
    assert.deepEqual(d.calls(), ['GET /containers/json?all=1']);
  });
});

test('skiff import streams the tarball and prints the image id', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-import-'));
  const file = path.join(dir, 'rootfs.tar');
  fs.writeFileSync(file, 'tar-bytes');
  try {
    await withDaemon(
      [{ method: 'POST', path: /^\/images\/create$/, handle: (_r, res) => sendJson(res, 200, { status: `sha256:${'ab'.repeat(32)}` }) }],
      async (d) => {
        const r = await skiff(d.host, ['import', '-c', 'CMD ["sh"]', '-m', 'msg', file, 'myimg:v1']);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, `sha256:${'ab'.repeat(32)}\n`);
        const req = d.requests.find((q) => q.path === '/images/create');
        assert.equal(req?.body, 'tar-bytes');
        assert.equal(req?.query.toString(), 'changes=CMD+%5B%22sh%22%5D&fromSrc=-&message=msg&repo=myimg%3Av1');
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('skiff rmi prints untagged and deleted lines', async () => {
  await withDaemon(
    [{ method: 'DELETE', path: /^\/images\//, handle: (_r, res) => sendJson(res, 200, [{ Untagged: 'x:latest' }, { Deleted: 'sha256:ab' }]) }],
    async (d) => {
      const r = await skiff(d.host, ['rmi', 'x']);
      assert.equal(r.stdout, 'Untagged: x:latest\nDeleted: sha256:ab\n');
      assert.equal(r.code, 0);
    },
  );
});

test('skiff inspect falls through object types and reports no such object', async () => {
  await withDaemon([], async (d) => {
    const r = await skiff(d.host, ['inspect', 'nosuch']);
    assert.equal(r.stdout, '[]\n');
    assert.equal(r.stderr, 'Error: No such object: nosuch\n');
    assert.equal(r.code, 1);
    assert.deepEqual(d.calls(), ['GET /containers/nosuch/json', 'GET /images/nosuch/json', 'GET /networks/nosuch', 'GET /volumes/nosuch']);
  });
});

test('skiff inspect -f reports a missing key like docker', async () => {
  await withDaemon(
    [{ method: 'GET', path: /^\/containers\/x\/json$/, handle: (_r, res) => sendJson(res, 200, { Id: ID, State: { Pid: 4242 } }) }],
    async (d) => {
      const ok = await skiff(d.host, ['inspect', '-f', '{{.State.Pid}}', 'x']);
      assert.equal(ok.stdout, '4242\n');
      const bad = await skiff(d.host, ['inspect', '-f', '{{.Nosuch}}', 'x']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, 'template parsing error: template: :1:2: executing "" at <.Nosuch>: map has no entry for key "Nosuch"\n');
    },
  );
});

test('skiff refuses unknown flags with exit 125 and daemon errors with exit 1', async () => {
  await withDaemon([], async (d) => {
    const r = await skiff(d.host, ['run', '--foo', 'busybox']);
    assert.equal(r.code, 125);
    assert.equal(r.stderr, "unknown flag: --foo\n\nUsage:  skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'skiff run --help' for more information\n");
    const rm = await skiff(d.host, ['rm', 'nosuch']);
    assert.equal(rm.code, 1);
    assert.equal(rm.stderr, 'Error response from daemon: page not found: DELETE /containers/nosuch\n');
  });
});

test('skiff refuses a tcp host', async () => {
  const r = await skiff('tcp://127.0.0.1:2375', ['ps']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /only unix:\/\/ sockets are supported/);
});
