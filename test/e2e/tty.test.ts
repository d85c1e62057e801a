// Real terminals end to end: `docker run -it` and `docker exec -it` inside tmux (typed commands,
// window resizes, ^C to the foreground job), and clients that vanish mid-attach.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';

const skip = !isRoot()
  ? 'e2e tests need root'
  : dockerBinary() === undefined
    ? 'needs the docker CLI'
    : findOnPath('tmux') === undefined
      ? 'needs tmux'
      : false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('terminals', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  const server = `skiff-e2e-${process.pid}`; // a private tmux server: never the user's
  const tmux = (...args: string[]) => runCommand('tmux', ['-L', server, ...args]);

  /** Waits until the pane shows text matching `re`; returns the pane. */
  async function screen(target: string, re: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = (await tmux('capture-pane', '-p', '-t', target)).stdout;
      if (re.test(text)) return text;
      await sleep(100);
    }
    assert.fail(`pane ${target} never showed ${re}; it shows:\n${text}\n${d.logTail(10)}`);
  }

  const typeLine = async (target: string, line: string) => {
    ok(await tmux('send-keys', '-t', target, '-l', line));
    ok(await tmux('send-keys', '-t', target, 'Enter'));
  };

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await tmux('kill-server');
    await d?.stop();
  });

  it('docker run -it sh in tmux takes typed commands, follows resizes and job control', async () => {
    const env = Object.entries(d.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const rcFile = `${d.root}/run-rc`;
    ok(
      await tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', ...env,
        `docker run -it --name term busybox sh; echo "rc=$?" > ${rcFile}; sleep 60`),
      'tmux new-session',
    );
    await screen('run', /^\/ #/m);
    await typeLine('run', 'test -t 0 && echo "is-a-tty $((6*7))"');
    await screen('run', /is-a-tty 42/);
    await typeLine('run', 'stty size');
    await screen('run', /^30 100\s*$/m);
    ok(await tmux('resize-window', '-t', 'run', '-x', '120', '-y', '40'));
    await sleep(300);
    await typeLine('run', 'clear; stty size');
    await screen('run', /^40 120\s*$/m);
    // ^C reaches the foreground job through the terminal, not the shell.
    await typeLine('run', 'sleep 300');
    await sleep(500);
    ok(await tmux('send-keys', '-t', 'run', 'C-c'));
    await typeLine('run', 'echo "after-$((1+1))"');
    await screen('run', /after-2/, 5_000);
    await typeLine('run', 'exit 3');
    const deadline = Date.now() + 15_000;
    let rc = '';
    while (Date.now() < deadline && rc === '') {
      rc = (await runCommand('cat', [rcFile])).stdout.trim();
      await sleep(100);
    }
    assert.equal(rc, 'rc=3');
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'term'])), '3\n');
  });

  it('docker exec -it in tmux gets a terminal that follows resizes', async () => {
    ok(await d.docker(['run', '-d', '--name', 'host', 'busybox', 'sleep', '600']));
    const env = Object.entries(d.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    ok(await tmux('new-session', '-d', '-s', 'ex', '-x', '90', '-y', '25', ...env, 'docker exec -it host sh; sleep 60'));
    await screen('ex', /^\/ #/m);
    await typeLine('ex', 'test -t 0 && echo "tty-$((2*3))"; stty size');
    await screen('ex', /tty-6\s+25 90/);
    ok(await tmux('resize-window', '-t', 'ex', '-x', '110', '-y', '35'));
    await sleep(300);
    await typeLine('ex', 'clear; stty size');
    await screen('ex', /^35 110\s*$/m);
    await typeLine('ex', 'exit');
  });

  it('a client that disconnects mid-attach leaves the container running and the daemon healthy', async () => {
    ok(await d.docker(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.2; done']));
    for (const args of [['attach', 'talker'], ['logs', '-f', 'talker'], ['exec', 'talker', 'sleep', '30']]) {
      const child = spawn('docker', args, { env: { ...process.env, ...d.env }, stdio: 'ignore' });
      await sleep(1500);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await sleep(300);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.Running}}', 'talker'])), 'true\n');
    assert.equal((await d.api('GET', '/_ping')).status, 200);
    assert.equal(ok(await d.docker(['exec', 'talker', 'echo', 'still-here'])), 'still-here\n');
  });
});
