// Volumes and bind mounts with the real docker CLI: the walk-through, copy-up, rm -v, 409s.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

describe('volumes and bind mounts with the docker CLI', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  const docker = (args: string[]) => d.docker(args);

  before(async () => {
    d = await startDaemon();
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('the seed walk-through: anonymous volume, host sees data not the mount, commit keeps an empty mount point', async () => {
    const id = ok(await docker(['run', '-d', '-v', '/test', 'busybox', 'sh', '-c', 'touch /test/inside; sleep 300']), 'run').trim();
    const names = ok(await docker(['volume', 'ls', '-q']), 'volume ls').trim().split('\n');
    assert.equal(names.length, 1);
    assert.match(names[0] ?? '', /^[0-9a-f]{64}$/);
    const mountpoint = ok(await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', names[0] ?? '']), 'inspect').trim();
    assert.equal(mountpoint, join(d.dataRoot, 'volumes', names[0] ?? '', '_data'));
    const labels = ok(await docker(['volume', 'inspect', '-f', '{{json .Labels}}', names[0] ?? '']), 'inspect').trim();
    assert.equal(labels, '{"com.docker.volume.anonymous":""}');
    for (let i = 0; i < 50 && !existsSync(join(mountpoint, 'inside')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(mountpoint, 'inside')), 'the file touched inside is in the volume directory');
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(!mountinfo.includes(mountpoint), 'the host mount table does not show the volume');
    const inspect = ok(await docker(['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}', id]), 'inspect');
    assert.equal(inspect.trim(), `volume ${names[0]} /test true`);
    ok(await docker(['commit', id, 'walked']), 'commit');
    const inImage = ok(await docker(['run', '--rm', 'walked', 'sh', '-c', 'ls -A /test | wc -l; test -d /test && echo dir']), 'run');
    assert.equal(inImage.replace(/ /g, ''), '0\ndir\n');
    ok(await docker(['rm', '-f', id]), 'rm');
  });

  it('copy-up fills a fresh named volume from the image, and a bind mount gets nothing', async () => {
    ok(await docker(['run', '--name', 'mk', 'busybox', 'sh', '-c', 'mkdir /data && echo hello > /data/f && chown 1000:1000 /data/f && chmod 640 /data/f']), 'run');
    ok(await docker(['commit', 'mk', 'withdata']), 'commit');
    ok(await docker(['run', '--rm', '-v', 'fresh:/data', 'withdata', 'true']), 'first run');
    assert.equal(ok(await docker(['run', '--rm', '-v', 'fresh:/data', 'busybox', 'cat', '/data/f']), 'cat'), 'hello\n');
    const meta = ok(await docker(['run', '--rm', '-v', 'fresh:/data', 'busybox', 'stat', '-c', '%u:%g %a', '/data/f']), 'stat');
    assert.equal(meta, '1000:1000 640\n');
    const host = join(d.root, 'bindsrc');
    mkdirSync(host);
    assert.equal(ok(await docker(['run', '--rm', '-v', `${host}:/data`, 'withdata', 'ls', '-A', '/data']), 'ls'), '');
    assert.deepEqual(readdirSync(host), []);
    ok(await docker(['rm', 'mk']), 'rm');
  });

  it('named volumes: create with labels, filters, in-use 409, rm -v removes only anonymous ones', async () => {
    ok(await docker(['volume', 'create', '--label', 'team=a', 'keep']), 'create');
    const cid = ok(await docker(['create', '-v', 'keep:/k', '-v', '/anon', 'busybox', 'true']), 'create').trim();
    const anon = ok(await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}', cid]), 'inspect').trim();
    assert.match(anon, /^[0-9a-f]{64}$/);
    assert.equal(ok(await docker(['volume', 'ls', '-q', '-f', 'label=team=a']), 'ls'), 'keep\n');
    fails(await docker(['volume', 'rm', 'keep']), 1, `remove keep: volume is in use - [${cid}]`);
    const busy = await d.api('DELETE', '/volumes/keep');
    assert.equal(busy.status, 409);
    const dangling = ok(await docker(['volume', 'ls', '-q', '-f', 'dangling=true']), 'ls');
    assert.ok(!dangling.includes('keep') && !dangling.includes(anon));
    ok(await docker(['rm', '-v', cid]), 'rm -v');
    const left = ok(await docker(['volume', 'ls', '-q']), 'ls');
    assert.ok(left.includes('keep\n'), 'the named volume stays');
    assert.ok(!left.includes(anon), 'the anonymous volume went with rm -v');
    ok(await docker(['volume', 'rm', 'keep']), 'rm');
    fails(await docker(['volume', 'inspect', 'keep']), 1, 'no such volume');
  });

  it('--mount: readonly volumes, tmpfs size, missing bind source, a bind of / and unknown options', async () => {
    fails(await docker(['run', '--rm', '--mount', 'type=volume,dst=/ro,readonly', 'busybox', 'touch', '/ro/x']), 1, 'Read-only file system');
    const df = ok(await docker(['run', '--rm', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=2m', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts']), 'tmpfs');
    assert.match(df, /^tmpfs \/t tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k/);
    fails(await docker(['run', '--rm', '--mount', `type=bind,src=${d.root}/nope,dst=/x`, 'busybox', 'true']), 125, `invalid mount config for type "bind": bind source path does not exist: ${d.root}/nope`);
    const made = join(d.root, 'made-by-v');
    ok(await docker(['run', '--rm', '-v', `${made}:/x`, 'busybox', 'true']), '-v creates the host path');
    assert.ok(existsSync(made));
    writeFileSync(join(d.root, 'marker'), 'x');
    assert.equal(ok(await docker(['run', '--rm', '-v', '/:/host', 'busybox', 'cat', `/host${d.root}/marker`]), 'bind /'), 'x');
    const bad = await d.api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: '/tmp', Target: '/x', Bogus: true }] } }), { 'Content-Type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /unknown option/);
    const ro = ok(await docker(['run', '--rm', '-v', `${d.root}:/h:ro`, 'busybox', 'sh', '-c', 'touch /h/y 2>&1; true']), 'ro bind');
    assert.match(ro, /Read-only file system/);
  });

  it('--volumes-from shares the other container\'s volumes, read-only when asked', async () => {
    ok(await docker(['run', '--name', 'src', '-v', 'shared:/s', 'busybox', 'sh', '-c', 'echo from-src > /s/f']), 'src');
    assert.equal(ok(await docker(['run', '--rm', '--volumes-from', 'src', 'busybox', 'cat', '/s/f']), 'cat'), 'from-src\n');
    fails(await docker(['run', '--rm', '--volumes-from', 'src:ro', 'busybox', 'touch', '/s/g']), 1, 'Read-only file system');
    ok(await docker(['rm', 'src']), 'rm');
    const pruned = ok(await docker(['volume', 'prune', '-a', '-f']), 'prune');
    assert.match(pruned, /shared/);
  });
});
