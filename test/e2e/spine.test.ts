// The core Docker workflow, end to end: import, images, run, ps, inspect, stop, logs, rename,
// prune, rm, rmi and their errors, first with the real docker CLI and then with skiff's own.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { allContainerIds, type ClientName, type Cli, cliFor, fails, ok, supports, waitForLog } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const clients: ClientName[] = ['docker', 'skiff'];

for (const client of clients) {
  const skip = !isRoot()
    ? 'e2e tests need root'
    : client === 'docker' && dockerBinary() === undefined
      ? 'the docker CLI is not installed'
      : false;

  describe(`spine with the ${client} CLI`, { skip, timeout: 600_000 }, () => {
    let d: Daemon;
    let cli: Cli;
    let imageId = '';

    before(async () => {
      d = await startDaemon();
      cli = cliFor(d, client);
    });
    after(async () => {
      await d?.stop();
    });

    it('import prints the new image ID', async () => {
      const out = ok(await cli(['import', await busyboxTarball(), 'busybox']), 'import');
      assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
      imageId = out.trim();
    });

    it('images lists busybox latest with the short image ID', async () => {
      const out = ok(await cli(['images']), 'images');
      assert.match(out, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
      const row = /^busybox\s+latest\s+([0-9a-f]{12})\s+/m.exec(out);
      assert.ok(row, `no busybox row in:\n${out}`);
      assert.equal(row[1], imageId.slice('sha256:'.length, 'sha256:'.length + 12));
    });

    it('run --rm echo prints hi, exits 0 and leaves no container', async () => {
      const before = await allContainerIds(cli);
      const r = await cli(['run', '--rm', 'busybox', 'echo', 'hi']);
      assert.equal(ok(r, 'run --rm'), 'hi\n');
      assert.deepEqual(await allContainerIds(cli), before);
    });

    it('run exits with the exit code of the command', async () => {
      const r = await cli(['run', 'busybox', 'sh', '-c', 'exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, '');
    });

    it('run -d starts a container in its own namespaces that ps lists', async () => {
      const id = ok(await cli(['run', '-d', '--name', 'web', 'busybox', 'sleep', '60']), 'run -d').trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const ps = ok(await cli(['ps']), 'ps');
      const row = new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"sleep 60"\\s+.+\\s+Up .+\\s+web$`, 'm');
      assert.match(ps, row);

      const pid = Number(ok(await cli(['inspect', '--format', '{{ .State.Pid }}', 'web']), 'inspect').trim());
      assert.ok(Number.isInteger(pid) && pid > 1, `bad pid ${pid}`);
      assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sleep\x0060\x00');
      for (const ns of ['net', 'mnt', 'uts', 'ipc', 'pid']) {
        assert.notEqual(readlinkSync(`/proc/${pid}/ns/${ns}`), readlinkSync(`/proc/self/ns/${ns}`), `${ns} namespace shared with the host`);
      }
    });

    it('stop sends SIGTERM first and the container can exit on it', async () => {
      const script = 'trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done';
      ok(await cli(['run', '-d', '--name', 'term7', 'busybox', 'sh', '-c', script]), 'run -d');
      await waitForLog(d, 'term7', 'ready');
      const start = Date.now();
      assert.equal(ok(await cli(['stop', 'term7']), 'stop'), 'term7\n');
      assert.ok(Date.now() - start < 5_000, `stop took ${Date.now() - start} ms`);
      assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'term7'])), 'exited 7\n');
    });

    it('stop -t 1 kills a container that ignores SIGTERM after about a second', async () => {
      ok(await cli(['run', '-d', '--name', 'stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; echo ready; sleep 60']), 'run -d');
      await waitForLog(d, 'stubborn', 'ready');
      const start = Date.now();
      assert.equal(ok(await cli(['stop', '-t', '1', 'stubborn']), 'stop -t 1'), 'stubborn\n');
      const took = Date.now() - start;
      assert.ok(took >= 900 && took < 6_000, `stop -t 1 took ${took} ms`);
      assert.equal(ok(await cli(['inspect', '-f', '{{.State.ExitCode}}', 'stubborn'])), '137\n');
    });

    it('rm refuses a running container without -f', async () => {
      fails(await cli(['rm', 'web']), 1, 'container is running: stop the container before removing or force remove');
      assert.equal(ok(await cli(['inspect', '-f', '{{.State.Running}}', 'web'])), 'true\n');
    });

    it('stop and rm remove the detached container', async () => {
      assert.equal(ok(await cli(['stop', '-t', '1', 'web']), 'stop'), 'web\n');
      assert.equal(ok(await cli(['rm', 'web']), 'rm'), 'web\n');
      const names = ok(await cli(['ps', '-a']), 'ps -a');
      assert.doesNotMatch(names, /\sweb$/m);
    });

    it('logs prints what the container wrote, the last lines with --tail and timestamps with -t', async (t) => {
      // stdout and stderr are separate pipes, so their relative order in the log is a race:
      // the streams are checked apart, and --tail on a container that writes one stream only.
      const mixed = await cli(['run', '--name', 'mixed', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
      assert.equal(ok(mixed, 'run'), 'out\n');
      assert.equal(mixed.stderr, 'err\n');
      ok(await cli(['run', '--name', 'logger', 'busybox', 'sh', '-c', 'echo one; echo two; echo three']), 'run');
      if (!(await supports(t, d, client, 'logs'))) return;
      const both = await cli(['logs', 'mixed']);
      assert.equal(ok(both, 'logs'), 'out\n');
      assert.equal(both.stderr, 'err\n');
      assert.equal(ok(await cli(['logs', 'logger']), 'logs'), 'one\ntwo\nthree\n');
      const tail = await cli(['logs', '--tail', '1', 'logger']);
      assert.equal(ok(tail, 'logs --tail 1'), 'three\n');
      assert.equal(tail.stderr, '');
      const stamped = ok(await cli(['logs', '-t', '--tail', '2', 'logger']), 'logs -t');
      assert.match(stamped, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z two\n\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z three\n$/);
    });

    it('rename gives a container a new name', async (t) => {
      if (!(await supports(t, d, client, 'rename'))) return;
      const r = await cli(['rename', 'logger', 'logs2']);
      assert.equal(ok(r, 'rename'), '');
      assert.equal(ok(await cli(['inspect', '-f', '{{.Name}}', 'logs2'])), '/logs2\n');
      const old = await cli(['inspect', 'logger']);
      assert.equal(old.code, 1, old.stdout);
      assert.match(old.stderr, /[Nn]o such (object|container): logger/);
    });

    // Docker wants names of two characters or more, so these tests never use `--name x`.
    it('run --name refuses a name that is already in use', async () => {
      ok(await cli(['run', '--name', 'dup', 'busybox', 'true']), 'first run --name dup');
      fails(await cli(['run', '--name', 'dup', 'busybox', 'true']), 125, 'Conflict. The container name "/dup" is already in use');
    });

    it('concurrent creates without a name each get their own generated name', async () => {
      const made = await Promise.all(Array.from({ length: 32 }, () => cli(['create', 'busybox', 'true'])));
      const ids = made.map((r) => ok(r, 'create').trim());
      const names = await Promise.all(ids.map(async (id) => ok(await cli(['inspect', '-f', '{{.Name}}', id]), 'inspect').trim()));
      assert.equal(new Set(names).size, ids.length, `duplicate names: ${names.join(' ')}`);
      ok(await cli(['rm', ...ids]), 'rm');
    });

    it('container prune removes stopped containers and keeps running ones', async (t) => {
      if (!(await supports(t, d, client, 'container', 'prune'))) return;
      const keep = ok(await cli(['run', '-d', '--name', 'keep', 'busybox', 'sleep', '60'])).trim();
      const stopped = (await allContainerIds(cli)).filter((id) => id !== keep);
      assert.ok(stopped.length >= 4, `expected the stopped containers term7, stubborn, logs2, dup and more: ${stopped.join(' ')}`);
      const out = ok(await cli(['container', 'prune', '-f']), 'container prune');
      assert.match(out, /^Deleted Containers:\n/);
      assert.match(out, /\nTotal reclaimed space: \S+\n$/);
      for (const id of stopped) assert.ok(out.includes(`${id}\n`), `${id} not in prune output:\n${out}`);
      assert.deepEqual(await allContainerIds(cli), [keep]);
      assert.equal(ok(await cli(['rm', '-f', 'keep']), 'rm -f'), 'keep\n');
    });

    it('run of an unknown image says it is not there locally and exits 125', async () => {
      const r = await cli(['run', 'nosuchimage']);
      fails(r, 125, "Unable to find image 'nosuchimage:latest' locally");
      const after = r.stderr.split("Unable to find image 'nosuchimage:latest' locally")[1] ?? '';
      assert.match(after, /\S/, `no error after the pull attempt:\n${r.stderr}`);
    });

    it('rmi untags and deletes the image', async () => {
      const ids = await allContainerIds(cli);
      if (ids.length > 0) ok(await cli(['rm', '-f', ...ids]), 'rm -f');
      const out = ok(await cli(['rmi', 'busybox']), 'rmi');
      assert.equal(out.split('\n')[0], 'Untagged: busybox:latest');
      assert.ok(out.includes(`Deleted: ${imageId}\n`), `no "Deleted: ${imageId}" in:\n${out}`);
      assert.equal(ok(await cli(['images', '-q'])), '');
    });

    it('the API answers an unknown route with 404 and a malformed create body with 400', async () => {
      for (const path of ['/v1.50/no/such/route', '/no/such/route']) {
        const r = await d.api('GET', path);
        assert.equal(r.status, 404, `${path}: ${r.body}`);
      }
      const bad = await d.api('POST', '/v1.50/containers/create', '{"Image": "busybox", ');
      assert.equal(bad.status, 400, bad.body);
      assert.equal(bad.headers['content-type'], 'application/json');
      const msg = (JSON.parse(bad.body) as { message?: unknown }).message;
      assert.ok(typeof msg === 'string' && msg !== '', bad.body);
    });
  });
}
