// Restart policies, events, pause/unpause, --init, update and detach keys, with the real docker
// CLI against a real skiffd.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Cli, cliFor, fails, ok, preferredClient, waitForLog } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('container lifecycle', { skip: isRoot() ? false : 'e2e tests need root', timeout: 300_000 }, () => {
  let d: Daemon;
  let cli: Cli;
  const inspect = async (name: string, format: string) => ok(await cli(['inspect', '-f', format, name]), `inspect ${name}`).trim();

  before(async () => {
    d = await startDaemon();
    cli = cliFor(d, preferredClient());
    ok(await cli(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('restart always brings a failing container back and docker stop keeps it down', async () => {
    ok(await cli(['run', '-d', '--name', 'always', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 1']));
    await until('two restarts', 20_000, async () => (Number(await inspect('always', '{{.RestartCount}}')) >= 2 ? true : undefined));
    assert.equal(await inspect('always', '{{json .HostConfig.RestartPolicy}}'), '{"Name":"always","MaximumRetryCount":0}');
    ok(await cli(['stop', '-t', '1', 'always']), 'stop');
    const count = await inspect('always', '{{.RestartCount}}');
    assert.equal(await inspect('always', '{{.State.Status}}'), 'exited');
    await sleep(2500);
    assert.equal(await inspect('always', '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`);
    // A user's start resets the count.
    ok(await cli(['start', 'always']));
    assert.equal(await inspect('always', '{{.RestartCount}}'), '0');
    ok(await cli(['rm', '-f', 'always']));
  });

  it('on-failure:2 restarts twice and then stays exited with its exit code', async () => {
    ok(await cli(['run', '-d', '--name', 'twice', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']));
    await until('the retries to run out', 15_000, async () =>
      (await inspect('twice', '{{.State.Status}} {{.RestartCount}}')) === 'exited 2' ? true : undefined,
    );
    await sleep(1500);
    assert.equal(await inspect('twice', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}'), 'exited 2 3');
    // on-failure does not restart a clean exit.
    ok(await cli(['run', '-d', '--name', 'clean', '--restart', 'on-failure', 'busybox', 'true']));
    await sleep(1500);
    assert.equal(await inspect('clean', '{{.State.Status}} {{.RestartCount}}'), 'exited 0');
    ok(await cli(['rm', 'twice', 'clean']));
  });

  it('rm -f cancels a pending restart and --rm with a restart policy is refused', async () => {
    ok(await cli(['run', '-d', '--name', 'flappy', '--restart', 'always', 'busybox', 'false']));
    await until('a restart', 10_000, async () => (Number(await inspect('flappy', '{{.RestartCount}}')) >= 1 ? true : undefined));
    ok(await cli(['rm', '-f', 'flappy']), 'rm -f');
    await sleep(1000);
    assert.equal(ok(await cli(['ps', '-aq', '--filter', 'name=flappy'])), '');
    const r = await d.api(
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }),
    );
    assert.equal(r.status, 400, r.body);
    fails(await cli(['run', '--rm', '--restart', 'always', 'busybox', 'true']), 125, 'cannot specify both --restart and --rm');
  });

  it('docker update changes the restart policy and memory limit, and refuses a bad policy', async () => {
    ok(await cli(['run', '-d', '--name', 'upd', 'busybox', 'sleep', '100']));
    ok(await cli(['update', '--restart', 'on-failure:4', 'upd']), 'update');
    assert.equal(await inspect('upd', '{{json .HostConfig.RestartPolicy}}'), '{"Name":"on-failure","MaximumRetryCount":4}');
    fails(await cli(['update', '--restart', 'sometimes', 'upd']), 1, "unknown policy 'sometimes'");
    ok(await cli(['update', '--memory', '20m', 'upd']), 'update --memory');
    assert.equal(await inspect('upd', '{{.HostConfig.Memory}}'), '20971520');
    ok(await cli(['rm', '-f', 'upd']));
  });

  it('events show the lifecycle of docker run --rm in order, with filters', async () => {
    const since = String(Math.floor(Date.now() / 1000));
    ok(await cli(['run', '--rm', '--name', 'evt', '--label', 'com.example.team=blue', 'busybox', 'true']), 'run');
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const out = ok(await cli(['events', '--since', since, '--until', until, '--filter', 'container=evt', '--format', '{{.Action}}']));
    assert.deepEqual(out.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
    const json = ok(await cli(['events', '--since', since, '--until', until, '--filter', 'event=die', '--filter', 'label=com.example.team=blue', '--format', '{{json .}}']));
    const lines = json.trim().split('\n');
    assert.equal(lines.length, 1, json);
    const die = JSON.parse(lines[0] ?? '') as { status: string; from: string; Type: string; Actor: { Attributes: Record<string, string> }; timeNano: number };
    assert.equal(die.status, 'die');
    assert.equal(die.from, 'busybox');
    assert.equal(die.Type, 'container');
    assert.equal(die.Actor.Attributes.exitCode, '0');
    assert.equal(die.Actor.Attributes.name, 'evt');
    assert.equal(die.Actor.Attributes['com.example.team'], 'blue');
    // The stream is live: headers come at once and events arrive as they happen.
    const res = await d.api('GET', `/events?since=${since}&until=${until}&filters=${encodeURIComponent('{"type":["image"]}')}`);
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    const bad = await d.api('GET', `/events?filters=${encodeURIComponent('{"colour":{"red":true}}')}`);
    assert.equal(bad.status, 400);
  });

  it('pause freezes the process, ps shows (Paused), unpause resumes it', async () => {
    ok(await cli(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/c; sleep 0.1; done']));
    const pid = Number(await inspect('counter', '{{.State.Pid}}'));
    const counter = () => Number(readFileSync(`/proc/${pid}/root/tmp/c`, 'utf8').trim() || '0');
    await sleep(500);
    ok(await cli(['pause', 'counter']), 'pause');
    assert.match(ok(await cli(['ps', '--format', '{{.Names}} {{.Status}}'])), /^counter Up .* \(Paused\)$/m);
    assert.equal(await inspect('counter', '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    const frozen = counter();
    await sleep(800);
    assert.equal(counter(), frozen, 'the counter advanced while paused');
    fails(await cli(['pause', 'counter']), 1, 'is already paused');
    fails(await cli(['rm', 'counter']), 1, 'paused');
    ok(await cli(['unpause', 'counter']), 'unpause');
    await sleep(800);
    assert.ok(counter() > frozen, 'the counter did not advance after unpause');
    fails(await cli(['unpause', 'counter']), 1, 'is not paused');
    // stop of a paused container works (the signal is delivered once thawed).
    ok(await cli(['pause', 'counter']));
    ok(await cli(['stop', '-t', '1', 'counter']), 'stop paused');
    assert.equal(await inspect('counter', '{{.State.Status}}'), 'exited');
    fails(await cli(['pause', 'counter']), 1, 'is not running');
    ok(await cli(['rm', 'counter']));
  });

  it('--init runs docker-init as PID 1', async () => {
    const out = ok(await cli(['run', '--rm', '--init', 'busybox', 'ps']), 'run --init');
    assert.match(out, /^\s*1 root\s+\/sbin\/docker-init -- ps$/m);
  });

  it('detach keys end an attach and leave the container running with stdin open', async () => {
    ok(await cli(['run', '-d', '-i', '--name', 'cat', 'busybox', 'cat']));
    const attach = (text: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const sock = connect(d.socket);
        let got = '';
        const timer = setTimeout(() => {
          sock.destroy();
          reject(new Error(`the attach did not end; got ${JSON.stringify(got)}`));
        }, 10_000);
        sock.on('connect', () =>
          sock.write('POST /containers/cat/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'),
        );
        sock.on('data', (b: Buffer) => {
          got += b.toString('latin1');
          if (got.includes('\r\n\r\n') && !got.includes('sent')) {
            got += 'sent';
            sock.write(text);
          }
        });
        sock.on('close', () => {
          clearTimeout(timer);
          resolve(got);
        });
        sock.on('error', reject);
      });
    const first = await attach(Buffer.concat([Buffer.from('one\n'), Buffer.from([0x18]), Buffer.from('lost\n')]));
    assert.match(first, /^HTTP\/1.1 101/);
    assert.equal(await inspect('cat', '{{.State.Status}}'), 'running');
    await waitForLog(d, 'cat', 'one');
    // stdin stayed open: a second attach still reaches cat.
    await attach(Buffer.concat([Buffer.from('two\n'), Buffer.from([0x18])]));
    await waitForLog(d, 'cat', 'two');
    const logs = ok(await cli(['logs', 'cat']));
    assert.equal(logs, 'one\ntwo\n');
    const bad = await d.api('POST', '/containers/cat/attach?stream=1&stdin=1&detachKeys=ctrl-zz');
    assert.equal(bad.status, 400);
    ok(await cli(['rm', '-f', 'cat']));
  });

  it('ctrl-p ctrl-q detaches docker run -it and docker attach, leaving the shell running', { skip: dockerBinary() === undefined || findOnPath('script') === undefined ? 'needs the docker CLI and script' : false }, async () => {
    const env = { ...process.env, ...d.env };
    const typed = (keys: string, cmd: string) =>
      runCommand('sh', ['-c', `(sleep 1.5; printf '${keys}'; sleep 0.7; printf '\\020\\021'; sleep 1.5) | script -qec '${cmd}' /dev/null`], { env, timeoutMs: 20_000 });
    const first = await typed('echo hello\\r', 'docker run -it --name tty busybox sh');
    assert.match(first.stdout, /hello/);
    assert.equal(await inspect('tty', '{{.State.Status}}'), 'running');
    const again = await typed('echo again\\r', 'docker attach tty');
    assert.match(again.stdout, /again/);
    assert.equal(await inspect('tty', '{{.State.Status}}'), 'running');
    ok(await cli(['rm', '-f', 'tty']));
  });

  it('after a daemon crash, a killed always container comes back and a stopped one does not', async () => {
    ok(await cli(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sleep', '1000']));
    ok(await cli(['run', '-d', '--name', 'resting', '--restart', 'unless-stopped', 'busybox', 'sleep', '1000']));
    ok(await cli(['run', '-d', '--name', 'bystander', 'busybox', 'sleep', '1000']));
    ok(await cli(['stop', '-t', '0', 'resting']));
    const oldPid = Number(await inspect('phoenix', '{{.State.Pid}}'));
    const bystanderPid = Number(await inspect('bystander', '{{.State.Pid}}'));
    await d.kill('SIGKILL');
    process.kill(oldPid, 'SIGKILL');
    await until('the old process to go', 5_000, async () => (existsSync(`/proc/${oldPid}`) ? undefined : true));
    await sleep(500);
    await d.restart();
    await until('phoenix to run again', 10_000, async () => ((await inspect('phoenix', '{{.State.Status}}')) === 'running' ? true : undefined));
    const newPid = Number(await inspect('phoenix', '{{.State.Pid}}'));
    assert.ok(newPid > 0 && newPid !== oldPid, `pid ${newPid}`);
    assert.equal(await inspect('resting', '{{.State.Status}}'), 'exited');
    assert.equal(await inspect('bystander', '{{.State.Status}} {{.State.Pid}}'), `running ${bystanderPid}`);
    ok(await cli(['rm', '-f', 'phoenix', 'resting', 'bystander']));
  });
});
