// docker-compose 1.29 (Debian's, on docker-py) drives a two-service project through its whole
// life: build, up -d, ps, port, DNS between services, logs, exec, events, restart, run and
// down -v, against skiffd and, where it is installed, against a private dockerd running the
// very same steps (which proves the steps test the client, not skiff's quirks).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot, repoRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.js';
import { type CommandOptions, type CommandResult, runCommand } from './run-command.js';

const COMPOSE = '/usr/bin/docker-compose';
const fixtureDir = (): string => join(repoRoot(), 'test', 'fixtures', 'compose');
const skip = !isRoot()
  ? 'e2e tests need root'
  : dockerBinary() === undefined
    ? 'the docker CLI is not installed'
    : findOnPath('docker-compose') === undefined
      ? 'docker-compose is not installed'
      : false;

type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

/** One engine under test: its docker CLI and the environment compose needs to reach it. */
interface Engine {
  docker: Cli;
  env: NodeJS.ProcessEnv;
}

/** A compose project on one engine; every call names the project and the file explicitly. */
function project(engine: Engine, name: string, file = 'docker-compose.yml') {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...engine.env,
    // The classic builder: skiff has no BuildKit, and compose 1.29 otherwise shells out to `docker build`.
    DOCKER_BUILDKIT: '0',
    COMPOSE_DOCKER_CLI_BUILD: '0',
  };
  for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION', 'COMPOSE_FILE', 'COMPOSE_PROJECT_NAME']) delete env[k];
  const args = (rest: readonly string[]) => ['--ansi', 'never', '-p', name, '-f', join(fixtureDir(), file), ...rest];
  return {
    name,
    env,
    run: (rest: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
      runCommand(COMPOSE, args(rest), { cwd: fixtureDir(), env: { ...env, ...extra }, timeoutMs: 180_000 }),
    /** Starts a long-running compose command (events); the caller stops it by its pid. */
    spawn: (rest: readonly string[]) => spawn(COMPOSE, args(rest), { cwd: fixtureDir(), env, stdio: ['ignore', 'pipe', 'pipe'] }),
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out`)));
    req.on('error', reject);
  });
}

/** Retries a check for a few seconds: a server process may need a moment after `up -d` returns. */
async function eventually<T>(what: string, f: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

const uniqueName = (): string => `skc${process.pid.toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** The same walk-through for each engine; it leaves nothing of the project behind. */
async function walkThrough(engine: Engine): Promise<void> {
  const p = project(engine, uniqueName());
  const label = `label=com.docker.compose.project=${p.name}`;
  try {
    // up -d: builds the client image, creates the network and volume, starts web before client.
    const up = await p.run(['up', '-d']);
    ok(up, 'compose up -d');
    assert.match(up.stdout + up.stderr, /Successfully built [0-9a-f]{12}/);
    assert.match(ok(await engine.docker(['image', 'inspect', '-f', '{{.Config.Labels}}', `${p.name}_client`]), 'image inspect'), /skiff\.test\.built:yes/);

    // ps: both services up, the published port shows a real host port (HostPort "" → chosen).
    const ps = ok(await p.run(['ps']), 'compose ps');
    assert.match(ps, new RegExp(`${p.name}_web_1 .* Up .*0\\.0\\.0\\.0:[1-9][0-9]*->80/tcp`));
    assert.match(ps, new RegExp(`${p.name}_client_1 .* Up`));
    assert.equal(ok(await p.run(['ps', '-q']), 'ps -q').trim().split('\n').length, 2);
    const portLine = ok(await p.run(['port', 'web', '80']), 'compose port').trim();
    const m = /^0\.0\.0\.0:([0-9]+)$/.exec(portLine);
    assert.ok(m, `compose port printed ${portLine}`);
    const hostPort = Number(m[1]);
    assert.ok(hostPort > 0);
    const page = await eventually('the published port', () => httpGet(hostPort, '/index.html'));
    assert.deepEqual(page, { status: 200, body: 'hello-from-web\n' });

    // Labels round-trip exactly, on containers, the volume and the network.
    const web = `${p.name}_web_1`;
    const labels = JSON.parse(ok(await engine.docker(['inspect', '-f', '{{json .Config.Labels}}', web]), 'inspect')) as Record<string, string>;
    assert.equal(labels['skiff.test.note'], 'spaces and = signs = kept');
    assert.equal(labels['skiff.test.role'], 'server');
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.project'], p.name);
    const volLabels = JSON.parse(ok(await engine.docker(['volume', 'inspect', '-f', '{{json .Labels}}', `${p.name}_site`]), 'volume inspect')) as Record<string, string>;
    assert.equal(volLabels['skiff.test.volume'], 'site');
    assert.equal(volLabels['com.docker.compose.volume'], 'site');
    assert.equal(ok(await engine.docker(['network', 'ls', '-q', '-f', label, '-f', 'label=com.docker.compose.network=default']), 'network ls').trim().split('\n').length, 1);
    assert.equal(ok(await engine.docker(['ps', '-q', '-f', label, '-f', 'label=skiff.test.role=client']), 'ps by label').trim().split('\n').length, 1);

    // depends_on: web started first.
    const started = async (c: string) => Date.parse(ok(await engine.docker(['inspect', '-f', '{{.State.StartedAt}}', c]), 'inspect').trim());
    assert.ok((await started(web)) <= (await started(`${p.name}_client_1`)), 'web started before client');

    // Service-name DNS on the project network, exec through the docker CLI and through the API.
    assert.equal(await eventually('wget web', async () => ok(await p.run(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/index.html']), 'exec wget')), 'hello-from-web\n');
    assert.equal(ok(await p.run(['exec', '-T', 'client', 'cat', '/built'], { COMPOSE_INTERACTIVE_NO_CLI: '1' }), 'exec via API'), 'built-by-compose\n');
    const failed = await p.run(['exec', '-T', 'client', 'sh', '-c', 'exit 3'], { COMPOSE_INTERACTIVE_NO_CLI: '1' });
    assert.equal(failed.code, 3, `exec's exit code comes back: ${failed.stderr}`);

    // logs: per service, with the request httpd logged.
    const webLogs = ok(await p.run(['logs', '--no-color', 'web']), 'logs web');
    assert.match(webLogs, /web_1 +\| web-ready/);
    assert.match(webLogs, /response:200/);
    assert.match(ok(await p.run(['logs', '--no-color', 'client']), 'logs client'), /client_1 +\| client-up/);

    // events with the project's label filters, watched across a restart.
    const events = p.spawn(['events', '--json']);
    let seen = '';
    events.stdout.on('data', (b: Buffer) => (seen += b.toString('utf8')));
    try {
      await new Promise((r) => setTimeout(r, 2500)); // compose subscribes after its (slow) start-up
      const before = await started(web);
      ok(await p.run(['restart', '-t', '1']), 'compose restart');
      assert.ok((await started(web)) > before, 'web was started again');
      const wanted = ['web', 'client'].flatMap((s) => ['die', 'start'].map((a) => `${s} ${a}`));
      await eventually('restart events', async () => {
        const got = seen.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { service: string; action: string; attributes: Record<string, string> });
        for (const w of wanted) assert.ok(got.some((e) => `${e.service} ${e.action}` === w), `no "${w}" event in ${seen}`);
        assert.ok(got.every((e) => e.service === 'web' || e.service === 'client'), 'only this project\'s events');
        assert.ok(got.some((e) => e.attributes['skiff.test.role'] === 'server'), 'labels are event attributes');
      });
    } finally {
      if (events.pid !== undefined && events.exitCode === null) process.kill(events.pid, 'SIGTERM');
    }
    const newPort = Number(/:([0-9]+)$/.exec(ok(await p.run(['port', 'web', '80']), 'port').trim())?.[1]);
    assert.deepEqual(await eventually('the port after restart', () => httpGet(newPort, '/')), { status: 200, body: 'hello-from-web\n' });
    assert.equal(await eventually('DNS after restart', async () => ok(await p.run(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/']), 'wget')), 'hello-from-web\n');

    // Recreate (what `up -d` does after the file changed): a new web container, the named
    // volume's content kept. compose 1.29 reads image inspect's ContainerConfig here (at the
    // newest API version the daemon offers), which skiff sends at every version as dockerd 20.10 did.
    ok(await p.run(['exec', '-T', 'web', 'sh', '-c', 'echo kept > /www/kept.txt']), 'write into the volume');
    const oldWebId = ok(await engine.docker(['inspect', '-f', '{{.Id}}', web]), 'inspect').trim();
    ok(await p.run(['up', '-d', '--force-recreate', '-t', '1']), 'up --force-recreate');
    assert.notEqual(ok(await engine.docker(['inspect', '-f', '{{.Id}}', web]), 'inspect').trim(), oldWebId);
    const kept = Number(/:([0-9]+)$/.exec(ok(await p.run(['port', 'web', '80']), 'port').trim())?.[1]);
    assert.deepEqual(await eventually('the volume after recreate', () => httpGet(kept, '/kept.txt')), { status: 200, body: 'kept\n' });

    // run: a one-off container (compose links it to the service's containers), removed after.
    assert.equal(ok(await p.run(['run', '--rm', 'client', 'sh', '-c', 'cat /built; wget -qO- http://web/']), 'compose run'), 'built-by-compose\nhello-from-web\n');

    // down -v (stop?t=0): nothing of the project is left.
    ok(await p.run(['down', '-v', '-t', '0']), 'compose down -v');
    assert.equal(ok(await engine.docker(['ps', '-aq', '-f', label]), 'ps -a'), '');
    assert.equal(ok(await engine.docker(['network', 'ls', '-q', '-f', label]), 'network ls'), '');
    assert.equal(ok(await engine.docker(['volume', 'ls', '-q', '-f', label]), 'volume ls'), '');
    assert.ok(!ok(await engine.docker(['network', 'ls', '--format', '{{.Name}}']), 'network ls').includes(p.name));
  } finally {
    await p.run(['down', '-v', '-t', '0']).catch(() => undefined);
  }
}

describe('docker-compose against skiffd', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('compose walks a two-service project from build to down -v', async () => {
    await walkThrough({ docker: d.docker, env: d.env });
  });

  it('legacy links on the default bridge resolve the alias; a stopped target is refused', async () => {
    const target = ok(await d.docker(['run', '-d', '--name', 'lnk-target', 'busybox', 'sleep', '300']), 'run target').trim();
    try {
      const ip = ok(await d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', target]), 'inspect').trim();
      const hosts = ok(await d.docker(['run', '--rm', '--link', 'lnk-target:tgt', 'busybox', 'sh', '-c', 'ping -c1 -W2 tgt >/dev/null && grep tgt /etc/hosts']), 'run --link');
      assert.equal(hosts, `${ip}\ttgt\n`);
      const links = ok(await d.docker(['create', '--name', 'lnk-self', '--link', 'lnk-target:tgt', 'busybox', 'true']), 'create');
      assert.equal(ok(await d.docker(['inspect', '-f', '{{json .HostConfig.Links}}', links.trim()]), 'inspect'), '["/lnk-target:/lnk-self/tgt"]\n');
      ok(await d.docker(['stop', '-t', '0', 'lnk-target']), 'stop');
      const r = await d.docker(['start', 'lnk-self']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Cannot link to a non running container: \/lnk-target AS \/lnk-self\/tgt/);
    } finally {
      await d.docker(['rm', '-f', 'lnk-self', 'lnk-target']);
    }
  });

  it('compose reports an unsupported setting as a clear error and leaves nothing running', async () => {
    const p = project({ docker: d.docker, env: d.env }, uniqueName(), 'unsupported.yml');
    try {
      const r = await p.run(['up', '-d']);
      assert.notEqual(r.code, 0, `up succeeded: ${r.stderr}`);
      assert.match(r.stderr, /logging driver "splunk" is not supported/);
      assert.equal(ok(await d.docker(['ps', '-q', '-f', `label=com.docker.compose.project=${p.name}`]), 'ps'), '');
    } finally {
      ok(await p.run(['down', '-v', '-t', '0']), 'down');
    }
  });
});

describe('docker-compose against dockerd (the oracle)', { skip: skip || (findOnPath('dockerd') === undefined ? 'dockerd is not installed' : false), timeout: 600_000 }, () => {
  let dd: PrivateDockerd | undefined;
  before(async () => {
    dd = await startPrivateDockerd();
  });
  after(async () => {
    await dd?.stop();
  });

  it('compose walks a two-service project from build to down -v', async () => {
    assert.ok(dd, 'dockerd started');
    const config = join(dd.root, 'cfg');
    await walkThrough({ docker: dd.docker, env: { DOCKER_HOST: `unix://${dd.socket}`, DOCKER_CONFIG: config } });
  });
});
