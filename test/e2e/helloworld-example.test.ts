// examples/helloworld (the seed's Flask app) built and run with the real docker CLI: on skiffd
// with its port published and fetched from the host, and on a private dockerd as the oracle for
// the image config and the page. Both need the Python base tarball that scripts/make-python-rootfs
// caches (debootstrap takes minutes, too long for a test run): without it the tests skip.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { dockerBinary, isRoot, repoRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.js';
import type { CommandOptions, CommandResult } from './run-command.js';

type Docker = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

const baseTar = process.env['SKIFF_PYTHON_BASE'] ?? join(process.env['SKIFF_CACHE_DIR'] ?? '/var/cache/skiff', 'python-base.tar');
const example = join(repoRoot(), 'examples', 'helloworld');

function skipReason(): string | false {
  if (!isRoot()) return 'e2e tests need root';
  if (dockerBinary() === undefined) return 'the docker CLI is not installed';
  if (!existsSync(baseTar) || statSync(baseTar).size === 0) {
    return `no cached Python base image at ${baseTar} (run scripts/make-python-rootfs once to build it; tests do not spend minutes on debootstrap)`;
  }
  return false;
}
const skip = skipReason();
const dockerdSkip = skip || (existsSync('/usr/sbin/dockerd') ? false : 'dockerd is not installed');

/** The page app.py serves, for a container whose hostname is `host`. */
const page = (name: string, host: string): string => `<h3>Hello ${name}!</h3><b>Hostname:</b> ${host}<br/>`;

// Fetches the page from inside the container, retrying while Flask starts: works without any
// published port, so it runs the same on skiffd and on the bridge-less private dockerd.
const fetchInside = [
  'python',
  '-c',
  [
    'import time, urllib.request',
    'for i in range(80):',
    '    try:',
    "        print(urllib.request.urlopen('http://127.0.0.1:80/', timeout=2).read().decode(), end=''); break",
    '    except OSError:',
    '        time.sleep(0.25)',
  ].join('\n'),
];

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

async function fetchFromHost(url: string): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await httpGet(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

interface ImageShape {
  WorkingDir: string;
  ExposedPorts: Record<string, unknown>;
  Env: string[];
  Cmd: string[];
}

/** Imports the base as the example's default base, builds the example, returns its config. */
async function buildExample(docker: Docker): Promise<{ output: string; config: ImageShape }> {
  const long = { timeoutMs: 300_000 };
  ok(await docker(['import', '-c', 'ENV LANG=C.UTF-8', baseTar, 'python-flask'], long), 'import python base');
  const output = ok(await docker(['build', '-t', 'friendlyhello', example], { ...long, env: { DOCKER_BUILDKIT: '0' } }), 'build');
  const config = JSON.parse(ok(await docker(['image', 'inspect', '--format', '{{json .Config}}', 'friendlyhello']), 'inspect')) as ImageShape;
  return { output, config };
}

function assertSeedConfig(config: ImageShape): void {
  assert.equal(config.WorkingDir, '/app');
  assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ['80/tcp']);
  assert.ok(config.Env.includes('NAME=World'), `Env lacks NAME=World: ${JSON.stringify(config.Env)}`);
  assert.deepEqual(config.Cmd, ['python', 'app.py']);
}

describe('helloworld example on skiffd', { skip, timeout: 900_000 }, () => {
  let d: Daemon;
  let config: ImageShape;
  const docker: Docker = (args, o) => d.docker(args, { timeoutMs: 120_000, ...o });

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.stop();
  });

  it('the example builds with the seed Dockerfile config and checks its requirements', async () => {
    const built = await buildExample(docker);
    config = built.config;
    assertSeedConfig(config);
    assert.match(built.output, /Flask \d+\.\d+/, 'the RUN step did not print the installed Flask version');
    assert.match(built.output, /Successfully tagged friendlyhello:latest/);
  });

  it('run -p serves the greeting with the container hostname on the host port', async () => {
    const id = ok(await docker(['run', '-d', '--name', 'web', '-p', '127.0.0.1::80', 'friendlyhello']), 'run').trim();
    const mapped = ok(await docker(['port', 'web', '80/tcp']), 'port').trim();
    const hostPort = /127\.0\.0\.1:(\d+)$/m.exec(mapped)?.[1];
    assert.ok(hostPort !== undefined, `unexpected docker port output: ${mapped}`);
    const res = await fetchFromHost(`http://127.0.0.1:${hostPort}/`);
    assert.equal(res.status, 200);
    assert.equal(res.body, page('World', id.slice(0, 12)));
  });

  it('exec runs inside /app with the image env and the added files', async () => {
    const out = ok(await docker(['exec', 'web', 'sh', '-c', 'echo "$NAME"; pwd; ls /app']), 'exec');
    assert.equal(out, 'World\n/app\nDockerfile\napp.py\nrequirements.txt\n');
  });

  it('a committed change with a new NAME greets by that name and keeps the change', async () => {
    ok(await docker(['exec', 'web', 'sh', '-c', 'echo changed > /app/CHANGES']), 'exec change');
    ok(await docker(['commit', '-c', 'ENV NAME=skiff', 'web', 'friendlyhello:v2']), 'commit');
    const id = ok(await docker(['run', '-d', '--name', 'web2', 'friendlyhello:v2']), 'run v2').trim();
    assert.equal(ok(await docker(['exec', 'web2', ...fetchInside]), 'fetch inside v2'), page('skiff', id.slice(0, 12)));
    assert.equal(ok(await docker(['exec', 'web2', 'cat', '/app/CHANGES']), 'cat'), 'changed\n');
  });
});

describe('helloworld example on dockerd (oracle)', { skip: dockerdSkip, timeout: 900_000 }, () => {
  let dd: PrivateDockerd | undefined;

  before(async () => {
    dd = await startPrivateDockerd();
  });
  after(async () => {
    await dd?.stop();
  });

  it('builds to the same config and serves the same page', async (t) => {
    if (dd === undefined) return t.skip('dockerd could not be started here');
    const docker: Docker = (args, o) => (dd as PrivateDockerd).docker(args, { timeoutMs: 120_000, ...o });
    const { config } = await buildExample(docker);
    assertSeedConfig(config);
    // The private dockerd has no bridge: run without a network and fetch from inside.
    const id = ok(await docker(['run', '-d', '--name', 'web', '--network', 'none', 'friendlyhello']), 'run').trim();
    try {
      assert.equal(ok(await docker(['exec', 'web', ...fetchInside]), 'fetch inside'), page('World', id.slice(0, 12)));
    } finally {
      await docker(['rm', '-f', 'web']);
    }
  });
});
