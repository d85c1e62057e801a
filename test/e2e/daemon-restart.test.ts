// Containers outlive skiffd: after a SIGKILL and a restart the daemon finds its running
// containers again and learns the exit codes of those that ended while it was down.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Cli, cliFor, ok, preferredClient } from './cli.js';
import { busyboxTarball, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await sleep(100);
  }
  return false;
}

describe('daemon restart', { skip: isRoot() ? false : 'e2e tests need root', timeout: 300_000 }, () => {
  let d: Daemon;
  let cli: Cli;
  before(async () => {
    d = await startDaemon();
    cli = cliFor(d, preferredClient());
    ok(await cli(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('a killed daemon comes back to its running containers and to exits it missed', async () => {
    const sleeper = ok(await cli(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '60']), 'run sleeper').trim();
    ok(await cli(['run', '-d', '--name', 'quitter', 'busybox', 'sh', '-c', 'sleep 2; exit 5']), 'run quitter');
    const pidOf = async (name: string): Promise<number> =>
      Number(ok(await cli(['inspect', '-f', '{{.State.Pid}}', name]), `inspect ${name}`).trim());
    const sleeperPid = await pidOf('sleeper');
    const quitterPid = await pidOf('quitter');
    assert.ok(sleeperPid > 1 && quitterPid > 1, `pids ${sleeperPid} ${quitterPid}`);

    await d.kill('SIGKILL');
    assert.ok(existsSync(`/proc/${sleeperPid}`), 'the container died with the daemon');
    assert.ok(await waitUntilGone(quitterPid, 15_000), 'quitter did not exit on its own');
    await sleep(500); // let its monitor record the exit

    await d.restart();
    const ps = ok(await cli(['ps']), 'ps');
    assert.match(ps, new RegExp(`^${sleeper.slice(0, 12)}\\s+busybox\\s+.*\\sUp .*\\ssleeper$`, 'm'));
    assert.doesNotMatch(ps, /\squitter$/m);
    assert.equal(ok(await cli(['inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'sleeper'])), `true ${sleeperPid}\n`);
    assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'quitter'])), 'exited 5\n');

    // The restarted daemon can still control the container it reattached to.
    assert.equal(ok(await cli(['stop', '-t', '1', 'sleeper']), 'stop'), 'sleeper\n');
    assert.ok(await waitUntilGone(sleeperPid, 5_000), 'stop did not end the container process');
    assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper'])), 'exited 137\n');
  });
});
