// docker commit and docker diff with the real docker CLI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ClientName, type Cli, cliFor, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const clients: ClientName[] = ['docker', 'skiff'];

for (const client of clients) {
  const skip = !isRoot() ? 'e2e tests need root' : client === 'docker' && dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

  describe(`commit and diff with the ${client} CLI`, { skip, timeout: 300_000 }, () => {
    let d: Daemon;
    let cli: Cli;

    before(async () => {
      d = await startDaemon();
      cli = cliFor(d, client);
      ok(await cli(['import', await busyboxTarball(), 'busybox']), 'import');
      ok(await cli(['run', '--name', 'work', 'busybox', 'sh', '-c', 'echo data > /tmp/new; rm /etc/group; mkdir /root/d']), 'run');
    });
    after(async () => {
      await d?.stop();
    });

    it('diff lists added, changed and deleted paths as Docker does', async () => {
      const out = ok(await cli(['diff', 'work']), 'diff');
      assert.equal(out, 'C /etc\nD /etc/group\nC /root\nA /root/d\nC /tmp\nA /tmp/new\n');
    });

    it('commit makes an image holding the container changes', async () => {
      const id = ok(await cli(['commit', '-m', 'my message', '-a', 'me', '-c', 'ENV X=1', 'work', 'snap:v1']), 'commit').trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      assert.equal(ok(await cli(['run', '--rm', 'snap:v1', 'sh', '-c', 'cat /tmp/new; ls /etc/group 2>&1; echo $X']), 'run'), 'data\nls: /etc/group: No such file or directory\n1\n');
      const meta = ok(await cli(['image', 'inspect', '--format', '{{.Author}}|{{.Comment}}|{{len .RootFS.Layers}}', 'snap:v1']), 'inspect');
      assert.equal(meta, 'me|my message|2\n');
      const top = ok(await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'snap:v1']), 'history').split('\n')[0];
      assert.equal(top, 'sh -c echo data > /tmp/new; rm /etc/group; mkdir /root/d|my message');
    });

    it('a container without changes commits to an empty layer', async () => {
      ok(await cli(['create', '--name', 'clean', 'busybox', 'true']), 'create');
      assert.equal(ok(await cli(['diff', 'clean']), 'diff'), '');
      ok(await cli(['commit', 'clean', 'same']), 'commit');
      const n = ok(await cli(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', 'same']), 'inspect');
      assert.equal(n, '1\n');
    });

    it('commit of a missing container is a 404', async () => {
      const r = await cli(['commit', 'nope']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /No such container: nope/);
    });
  });
}
