// Image records through the docker CLI: import with --change, tag, history, inspect, and the
// rules of rmi when containers use an image.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliFor, fails, ok, type Cli } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

describe('images with the docker CLI', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  let docker: Cli;

  before(async () => {
    d = await startDaemon();
    docker = cliFor(d, 'docker');
  });
  after(async () => {
    await d?.stop();
  });

  it('import --change sets the command, env and workdir the container runs with', async () => {
    const tar = await busyboxTarball();
    const id = ok(
      await docker(['import', '-c', 'CMD ["sh","-c","echo $GREETING from $(pwd)"]', '-c', 'ENV GREETING=hello', '-c', 'WORKDIR /tmp', '-m', 'first import', tar, 'greeter:v1']),
      'import',
    ).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(await docker(['run', '--rm', 'greeter:v1']), 'run'), 'hello from /tmp\n');
    assert.equal(ok(await docker(['inspect', '-f', '{{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Comment}}', 'greeter:v1'])), '["sh","-c","echo $GREETING from $(pwd)"] /tmp first import\n');
  });

  it('import refuses a change instruction docker does not allow', async () => {
    fails(await docker(['import', '-c', 'RUN true', await busyboxTarball(), 'bad']), 1, 'run is not a valid change command');
    fails(await docker(['image', 'inspect', 'bad']), 1, 'No such image: bad:latest');
  });

  it('tag adds a name that images lists and rmi of one name only untags', async () => {
    ok(await docker(['tag', 'greeter:v1', 'example.com/team/greeter:v2']), 'tag');
    const images = ok(await docker(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'images');
    assert.deepEqual(images.trim().split('\n').sort(), ['example.com/team/greeter:v2', 'greeter:v1']);
    assert.equal(ok(await docker(['rmi', 'example.com/team/greeter:v2']), 'rmi'), 'Untagged: example.com/team/greeter:v2\n');
    assert.equal(ok(await docker(['images', '-q'])).trim().split('\n').length, 1);
  });

  it('history shows the import with its comment', async () => {
    const out = ok(await docker(['history', '--format', '{{.CreatedBy}}|{{.Comment}}', 'greeter:v1']), 'history');
    assert.equal(out, '|first import\n');
  });

  it('rmi refuses an image a container uses and removes it once the container is gone', async () => {
    const cid = ok(await docker(['create', 'greeter:v1']), 'create').trim();
    fails(await docker(['rmi', 'greeter:v1']), 1, `container ${cid.slice(0, 12)} is using its referenced image`);
    ok(await docker(['rm', cid]), 'rm');
    const out = ok(await docker(['rmi', 'greeter:v1']), 'rmi');
    assert.match(out, /^Untagged: greeter:v1\nDeleted: sha256:[0-9a-f]{64}\n/);
    fails(await docker(['image', 'inspect', 'greeter:v1']), 1, 'No such image: greeter:v1');
  });

  it('inspect of a container shows docker-shaped fields with zero values', async () => {
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
    ok(await docker(['create', '--name', 'shape', '-e', 'A=1', '-l', 'tier=web', 'busybox', 'sleep', '5']), 'create');
    const fmt = '{{.Name}} {{.State.Status}} {{.State.Pid}} {{.State.FinishedAt}} {{.Config.Hostname}} {{index .Config.Labels "tier"}} {{.HostConfig.NetworkMode}} {{.Path}} {{json .Args}}';
    const out = ok(await docker(['inspect', '-f', fmt, 'shape']), 'inspect');
    const id = ok(await docker(['inspect', '-f', '{{.Id}}', 'shape'])).trim();
    assert.equal(out, `/shape created 0 0001-01-01T00:00:00Z ${id.slice(0, 12)} web bridge sleep ["5"]\n`);
    const env = ok(await docker(['inspect', '-f', '{{json .Config.Env}}', 'shape']));
    assert.deepEqual(JSON.parse(env), ['A=1']);
    // The process still gets a PATH, as under dockerd.
    assert.match(ok(await docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo $PATH'])), /^\/usr\/local\/sbin:/);
    ok(await docker(['rm', 'shape']), 'rm');
  });
});
