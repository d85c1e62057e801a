// docker exec against skiffd with the real docker CLI: namespaces, exit codes, TTYs, bad input,
// the plain (non-upgraded) start dockerode and testcontainers use, and 50 execs at once.
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'needs the docker CLI' : false;

/** POST with a JSON body, collecting the raw response (for the non-upgraded exec start). */
function post(socket: string, path: string, body: unknown): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Docker's 8-byte framing → [stream, text] pairs. */
function demux(buf: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    out.push([buf[i] ?? 0, buf.subarray(i + 8, i + 8 + size).toString('utf8')]);
    i += 8 + size;
  }
  return out;
}

describe('docker exec', { skip, timeout: 600_000 }, () => {
  let d: Daemon;
  let cid = '';
  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
    cid = ok(await d.docker(['run', '-d', '--name', 'box', 'busybox', 'sleep', '600']), 'run').trim();
  });
  after(async () => {
    await d?.stop();
  });

  it('joins every namespace of the container', async () => {
    const pid = Number(ok(await d.docker(['inspect', '-f', '{{.State.Pid}}', 'box'])).trim());
    for (const ns of ['net', 'mnt', 'pid', 'uts', 'ipc']) {
      const inside = ok(await d.docker(['exec', 'box', 'readlink', `/proc/self/ns/${ns}`]), `exec readlink ${ns}`).trim();
      assert.equal(inside, readlinkSync(`/proc/${pid}/ns/${ns}`), ns);
    }
    // And its cgroup: the exec'd shell sits in the container's cgroup.
    const cg = ok(await d.docker(['exec', 'box', 'cat', '/proc/self/cgroup']));
    assert.match(cg, new RegExp(cid));
  });

  it('passes exit codes, stderr, env, user and workdir through', async () => {
    const r = await d.docker(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [7, 'out\n', 'err\n']);
    const who = await d.docker(['exec', '-u', 'nobody', '-w', '/tmp', '-e', 'GREETING=hi', 'box', 'sh', '-c', 'id -u; pwd; echo $GREETING $HOME']);
    assert.equal(ok(who), '65534\n/tmp\nhi /nonexistent\n');
    const missing = await d.docker(['exec', 'box', 'nosuch']);
    assert.equal(missing.code, 127);
    assert.match(missing.stdout + missing.stderr, /executable file not found/);
    const notExec = await d.docker(['exec', 'box', '/etc/passwd']);
    assert.equal(notExec.code, 126, notExec.stdout + notExec.stderr);
    assert.equal(ok(await d.docker(['exec', '-i', 'box', 'cat'], { input: 'piped\n' })), 'piped\n');
    const priv = ok(await d.docker(['exec', '--privileged', 'box', 'grep', 'CapEff', '/proc/self/status']));
    const plain = ok(await d.docker(['exec', 'box', 'grep', 'CapEff', '/proc/self/status']));
    assert.notEqual(priv, plain);
  });

  it('gives exec -it a terminal of the caller size under script', { skip: findOnPath('script') ? false : 'needs script' }, async () => {
    const r = await runCommand('script', ['-qec', "stty rows 27 cols 91; docker exec -it box sh -c 'test -t 0 && echo TTY; stty size'", '/dev/null'], {
      env: { ...process.env, ...d.env },
      input: '',
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /TTY\r\n27 91\r\n/);
  });

  it('refuses exec in a stopped container with 409 and resize of an unknown exec with 404', async () => {
    ok(await d.docker(['create', '--name', 'idle', 'busybox', 'true']));
    const r = await d.docker(['exec', 'idle', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not running/);
    const api = await d.api('POST', '/containers/idle/exec', JSON.stringify({ Cmd: ['true'] }));
    assert.equal(api.status, 409, api.body);
    const resize = await d.api('POST', '/exec/0123456789abcdef/resize?h=10&w=10');
    assert.equal(resize.status, 404);
    assert.match(resize.body, /No such exec instance/);
    const empty = await d.api('POST', '/containers/box/exec', JSON.stringify({ Cmd: [] }));
    assert.equal(empty.status, 400);
  });

  it('streams a plain 200 start and reports ExitCode null while running, then the code', async () => {
    const created = await d.api('POST', `/containers/${cid}/exec`, JSON.stringify({ Cmd: ['sh', '-c', 'echo a; sleep 1; echo b >&2; exit 3'], AttachStdout: true, AttachStderr: true }));
    assert.equal(created.status, 201);
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    const before = JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as { ExitCode: number | null; Running: boolean };
    assert.deepEqual([before.ExitCode, before.Running], [null, false]);
    const started = post(d.socket, `/exec/${id}/start`, { Detach: false, Tty: false });
    await new Promise((r) => setTimeout(r, 500));
    const during = JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as { ExitCode: number | null; Running: boolean; Pid: number };
    assert.deepEqual([during.ExitCode, during.Running], [null, true]);
    assert.ok(during.Pid > 0);
    const res = await started;
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/vnd.docker.multiplexed-stream');
    assert.deepEqual(demux(res.body), [[1, 'a\n'], [2, 'b\n']]);
    const done = JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as { ExitCode: number | null; Running: boolean };
    assert.deepEqual([done.ExitCode, done.Running], [3, false]);
    const again = await d.api('POST', `/exec/${id}/start`, JSON.stringify({ Detach: false }));
    assert.equal(again.status, 409);
  });

  it('records exec_create, exec_start and exec_die events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    assert.equal((await d.docker(['exec', 'box', 'sh', '-c', 'exit 2'])).code, 2);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = ok(
      await d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'container=box', '--format', '{{.Action}}|{{index .Actor.Attributes "execID"}}']),
    );
    const lines = ev.split('\n').filter((l) => l.startsWith('exec_'));
    const execId = lines.find((l) => l.startsWith('exec_create: sh -c exit 2|'))?.split('|')[1];
    assert.ok(execId, ev);
    const actions = lines.filter((l) => l.endsWith(`|${execId}`)).map((l) => l.split('|')[0]);
    assert.deepEqual(actions, ['exec_create: sh -c exit 2', 'exec_start: sh -c exit 2', 'exec_die']);
  });

  it('runs 50 concurrent execs on one container, each with its own output', async () => {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => d.docker(['exec', 'box', 'sh', '-c', `echo out-${i}; exit ${i % 4}`], { timeoutMs: 180_000 })),
    );
    results.forEach((r, i) => {
      assert.equal(r.stdout, `out-${i}\n`, `exec ${i}: ${r.stderr}`);
      assert.equal(r.code, i % 4, `exec ${i}`);
    });
    console.log(`# 50 concurrent execs took ${Date.now() - started} ms`);
    // Every exec's files are gone once it ended.
    const left = await runCommand('sh', ['-c', `ls ${d.execRoot}/x 2>/dev/null | wc -l`]);
    assert.equal(left.stdout.trim(), '0');
  });
});
