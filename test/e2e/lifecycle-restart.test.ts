// skiffd killed with SIGKILL while containers run: a TTY container, one logging continuously,
// one that exits while the daemon is down, and a --restart always one whose process is killed
// meanwhile. After the restart the first two still run with their logs continuous, the third
// shows its real exit code, the fourth comes back; and json-file logs rotate at their cap while
// `docker logs` (and a follower) read across the rotated files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'needs the docker CLI' : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The numbers of "line N" log lines, checked to be consecutive. */
function consecutive(text: string): number[] {
  const nums = [...text.matchAll(/^line (\d+)\b/gm)].map((m) => Number(m[1]));
  nums.forEach((n, i) => {
    if (i > 0) assert.equal(n, (nums[i - 1] ?? 0) + 1, `gap in the log after line ${nums[i - 1]}`);
  });
  return nums;
}

const counter = 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.05; done';
const padded = 'i=0; while true; do echo "line $i ................................................................................"; i=$((i+1)); sleep 0.02; done';

describe('containers across a daemon crash, and log rotation', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  const inspect = async (name: string, format: string) => ok(await d.docker(['inspect', '-f', format, name]), `inspect ${name}`).trim();

  it('keeps running containers, their logs and the exits it missed across kill -9', async () => {
    ok(await d.docker(['run', '-dit', '--name', 'tty', 'busybox', 'sh']), 'run tty');
    ok(await d.docker(['run', '-d', '--name', 'logger', 'busybox', 'sh', '-c', counter]), 'run logger');
    ok(await d.docker(['run', '-d', '--name', 'quitter', 'busybox', 'sh', '-c', 'sleep 3; exit 42']), 'run quitter');
    ok(await d.docker(['run', '-d', '--name', 'always', '--restart', 'always', 'busybox', 'sleep', '600']), 'run always');
    const ttyPid = await inspect('tty', '{{.State.Pid}}');
    const loggerPid = await inspect('logger', '{{.State.Pid}}');
    const alwaysPid = Number(await inspect('always', '{{.State.Pid}}'));
    await sleep(500);

    await d.kill('SIGKILL');
    process.kill(alwaysPid, 'SIGKILL'); // dies while nobody watches: its policy must bring it back
    await sleep(4000); // quitter exits meanwhile; logger keeps logging
    await d.restart();

    assert.equal(await inspect('tty', '{{.State.Status}} {{.State.Pid}}'), `running ${ttyPid}`);
    assert.equal(await inspect('logger', '{{.State.Status}} {{.State.Pid}}'), `running ${loggerPid}`);
    assert.equal(await inspect('quitter', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 42');
    const deadline = Date.now() + 20_000;
    let always = '';
    while (Date.now() < deadline) {
      always = await inspect('always', '{{.State.Status}} {{.State.Pid}}');
      if (always.startsWith('running ') && always !== `running ${alwaysPid}`) break;
      await sleep(200);
    }
    assert.match(always, /^running \d+$/, d.logTail(80));
    assert.notEqual(always, `running ${alwaysPid}`);

    // Logs are continuous across the daemon's absence, and a follower reconnects.
    await sleep(500);
    const logs = ok(await d.docker(['logs', 'logger']));
    const nums = consecutive(logs);
    assert.ok(nums.length > 60, `only ${nums.length} lines`);
    const follower = spawn('docker', ['logs', '-f', '--tail', '1', 'logger'], { env: { ...process.env, ...d.env } });
    let followed = '';
    follower.stdout.on('data', (b: Buffer) => (followed += b.toString()));
    await sleep(1500);
    follower.kill('SIGKILL');
    assert.ok(consecutive(followed).length >= 5, `follower saw: ${followed}`);

    // The reattached TTY container still takes exec and attach input.
    assert.equal(ok(await d.docker(['exec', 'tty', 'echo', 'ok'])), 'ok\n');
  });

  it('rotates json-file logs at max-size and reads across the rotated files, also while following', async () => {
    const id = ok(
      await d.docker(['run', '-d', '--name', 'rot', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', padded]),
    ).trim();
    const follower = spawn('docker', ['logs', '-f', 'rot'], { env: { ...process.env, ...d.env } });
    let followed = '';
    follower.stdout.on('data', (b: Buffer) => (followed += b.toString()));
    await sleep(6000); // ~120 lines of ~70 bytes in json: several rotations
    const dir = `${d.dataRoot}/containers/${id}`;
    const files = readdirSync(dir).filter((f) => f.startsWith(`${id}-json.log`)).sort();
    assert.deepEqual(files, [`${id}-json.log`, `${id}-json.log.1`, `${id}-json.log.2`]);
    for (const f of files) assert.ok(statSync(`${dir}/${f}`).size <= 4096, `${f} is over the cap`);
    const logs = consecutive(ok(await d.docker(['logs', 'rot'])));
    assert.ok(logs.length > 20 && (logs[0] ?? 0) > 0, `logs start at ${logs[0]} (${logs.length} lines)`);
    ok(await d.docker(['rm', '-f', 'rot']));
    await sleep(300);
    follower.kill('SIGKILL');
    const seen = consecutive(followed); // the follower crossed every rotation without a gap
    assert.equal(seen[0], 0);
    assert.ok((seen.at(-1) ?? 0) >= (logs.at(-1) ?? 0), `follower stopped at ${seen.at(-1)}`);
    // Bad options are refused at create, with Docker's wording.
    const bad = await d.docker(['create', '--log-opt', 'max-size=lots', 'busybox']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid size: 'lots'/);
    assert.equal(existsSync(dir), false);
  });
});
