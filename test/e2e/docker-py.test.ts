// docker-py (Debian's python3-docker 5.0.3) against skiffd, and the same script against a private
// dockerd when one is installed, which proves the script tests what the client sees rather than
// skiff's own idea of the API. The checks live in clients/docker_py_suite.py; this file starts the
// daemons and a Debian docker-registry for push/pull, runs the script and asserts on its report.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot, repoRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.js';
import { PASSWORD, registryMissing, startRegistry, type TestRegistry, USER } from './registry-client-fixtures.js';
import { type CommandResult, runCommand } from './run-command.js';

const PYTHON = '/usr/bin/python3'; // Debian's, with Debian's docker-py; the one first on PATH may hold another
const SCRIPT = join(repoRoot(), 'test', 'e2e', 'clients', 'docker_py_suite.py');

/** Every check the script must report as passed; a check that silently vanished fails the test. */
const CHECKS = [
  'ping and version on unversioned paths',
  'run returns output',
  'run failure raises container error with stderr',
  'run missing image is not found',
  'detach labels and filters',
  'exec run exit codes and output',
  'logs plain stream follow tail timestamps',
  'stop t0 restart wait and 304s',
  'unsupported requests get a clear 4xx',
  'conflicts and bad requests get dockers statuses',
  'images list get tag commit remove',
  'push and pull through a local registry',
  'volumes create list mount remove',
  'networks create connect disconnect remove',
];

function dockerPyMissing(): string | false {
  if (!isRoot()) return 'e2e tests need root';
  if (dockerBinary() === undefined) return 'the docker CLI is not installed (used to import busybox)';
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  return false;
}

async function hasDockerPy(): Promise<boolean> {
  return (await runCommand(PYTHON, ['-c', 'import docker'])).code === 0;
}

/** A /24 no other run of this test is likely to hold at the same time, outside skiff's 10.210+ pool. */
function randomSubnet(): string {
  return `10.199.${1 + Math.floor(Math.random() * 254)}.0/24`;
}

async function runSuite(env: NodeJS.ProcessEnv, target: 'skiff' | 'dockerd', reg: TestRegistry | undefined): Promise<CommandResult> {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    SUITE_TARGET: target,
    SUITE_REGISTRY: reg?.directHost ?? '',
    SUITE_REG_USER: USER,
    SUITE_REG_PASSWORD: PASSWORD,
    SUITE_SUBNET: randomSubnet(),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION', 'PYTHONPATH', 'PYTHONHOME']) delete e[k];
  return runCommand(PYTHON, [SCRIPT], { env: e, timeoutMs: 480_000 });
}

/** Asserts the script exited 0 and reported every check as passed, with its output on failure. */
function assertAllPassed(r: CommandResult, registry: boolean): void {
  const detail = `\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-6000)}`;
  const failed = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
  assert.deepEqual(failed, [], `docker-py checks failed${detail}`);
  assert.equal(r.code, 0, `the suite exited ${r.code}${detail}`);
  for (const c of CHECKS) assert.ok(r.stdout.split('\n').includes(`ok ${c}`), `no "ok ${c}" line${detail}`);
  assert.match(r.stdout, new RegExp(`docker-py suite: ${CHECKS.length} passed, 0 failed`), detail);
  if (registry) assert.ok(!r.stdout.includes('skip push/pull'), `push/pull was skipped${detail}`);
}

describe('docker-py against skiffd', { skip: dockerPyMissing(), timeout: 600_000 }, () => {
  let d: Daemon | undefined;
  let reg: TestRegistry | undefined;

  before(async () => {
    if (registryMissing() === false) reg = await startRegistry();
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox'], { timeoutMs: 120_000 }), 'import busybox');
  });
  after(async () => {
    try {
      await d?.stop();
    } finally {
      await reg?.stop();
    }
  });

  it('docker-py runs, execs, streams logs, pushes/pulls, and manages volumes and networks', async (t) => {
    if (!(await hasDockerPy())) return t.skip('python3-docker is not installed');
    assert.ok(d);
    assertAllPassed(await runSuite(d.env, 'skiff', reg), reg !== undefined);
  });
});

describe('docker-py against dockerd (the oracle)', { skip: dockerPyMissing() || (existsSync('/usr/sbin/dockerd') ? false : 'dockerd is not installed'), timeout: 600_000 }, () => {
  let dd: PrivateDockerd | undefined;
  let reg: TestRegistry | undefined;

  before(async () => {
    if (registryMissing() === false) reg = await startRegistry();
    dd = await startPrivateDockerd(); // imports busybox too
  });
  after(async () => {
    try {
      // dockerd keeps user networks' bridges on the host across its own shutdown: remove what a
      // failed run left behind while dockerd still runs.
      if (dd) {
        const left = (await dd.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
        if (left.length > 0) await dd.docker(['rm', '-f', ...left]);
        await dd.docker(['network', 'prune', '-f']);
      }
      await dd?.stop();
    } finally {
      await reg?.stop();
    }
  });

  it('the same script passes against dockerd', async (t) => {
    if (!(await hasDockerPy())) return t.skip('python3-docker is not installed');
    if (dd === undefined) return t.skip('dockerd could not be started');
    const env = { DOCKER_HOST: `unix://${dd.socket}`, DOCKER_CONFIG: join(dd.root, 'cfg') };
    assertAllPassed(await runSuite(env, 'dockerd', reg), reg !== undefined);
  });
});
