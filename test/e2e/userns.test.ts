// User namespaces: skiffd --userns-remap (Docker's) and --userns=auto (Podman's), checked from the host.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';
import { runCommand } from './run-command.js';
import { cpOut, dockerdRemapCpExpected, hostFile, REMAP_CP_EXPECTED, remapCpScenario, tarOwners } from './userns-cp-scenario.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

/** The host uid of a process, as `ps -o uid` shows it. */
async function hostUid(pid: string): Promise<number> {
  const r = await runCommand('ps', ['-o', 'uid=', '-p', pid.trim()]);
  assert.equal(r.code, 0, `ps -p ${pid}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** The first subordinate uid /etc/subuid grants `owner`. */
function subuidStart(owner: string): number {
  const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${owner}:`));
  assert.ok(line, `/etc/subuid has a range for ${owner}`);
  return Number(line.split(':')[1]);
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(path), `${path} exists`);
}

describe('user namespaces with --userns-remap and --userns=auto', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  const docker = (args: string[]) => d.docker(args);

  before(async () => {
    d = await startDaemon({ args: ['--userns-remap', 'default'] });
    ok(await docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
  });

  it('root in a remapped container is the skiffremap range on the host, and its volume files are too', async () => {
    const id = ok(await docker(['run', '-d', '-v', 'remapvol:/data', 'busybox', 'sh', '-c', 'echo hi > /data/f; sleep 300']), 'run').trim();
    const base = subuidStart('skiffremap');
    assert.ok(base >= 100000, `the remap range starts high (${base})`);
    const pid = ok(await docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect');
    assert.equal(await hostUid(pid), base);
    const mountpoint = ok(await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'remapvol']), 'volume inspect').trim();
    await waitForFile(join(mountpoint, 'f'));
    const st = statSync(join(mountpoint, 'f'));
    assert.deepEqual([st.uid, st.gid], [base, subuidStartGroup('skiffremap')]);
    // Inside, it is root, the image's files are root's, and exec enters the same namespaces.
    const inside = ok(await docker(['exec', id, 'sh', '-c', 'id -u; stat -c %u:%g /bin/busybox /etc; cat /proc/self/uid_map; ls /sys/class/net']), 'exec');
    const lines = inside.trim().split('\n').map((l) => l.trim());
    assert.deepEqual(lines.slice(0, 3), ['0', '0:0', '0:0']);
    assert.match(lines[3] ?? '', new RegExp(`^0\\s+${base}\\s+65536$`));
    assert.deepEqual(lines.slice(4).sort(), ['eth0', 'lo'], 'sysfs is the container network namespace’s');
    ok(await docker(['rm', '-f', id]), 'rm');
    ok(await docker(['volume', 'rm', 'remapvol']), 'volume rm');
  });

  it('the image still runs, writes its root and --userns=host opts out', async () => {
    assert.equal(ok(await docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo x > /x && cat /x && id -u']), 'run').trim(), 'x\n0');
    const hostMap = ok(await docker(['run', '--rm', '--userns=host', 'busybox', 'cat', '/proc/self/uid_map']), 'run host');
    assert.match(hostMap.trim(), /^0\s+0\s+4294967295$/);
    const info = ok(await docker(['info', '--format', '{{json .SecurityOptions}}']), 'info');
    assert.ok(info.includes('name=userns'), info);
  });

  it('commit and build of remapped containers keep the ids the container saw', async () => {
    ok(await docker(['run', '--name', 'writer', 'busybox', 'sh', '-c', 'echo x > /mine; mkdir /d; chown 1000:50 /d']), 'run');
    ok(await docker(['commit', 'writer', 'committed']), 'commit');
    ok(await docker(['rm', 'writer']), 'rm');
    // Layers hold the container's ids (0, 1000) — under remap they would otherwise read as nobody.
    assert.equal(ok(await docker(['run', '--rm', 'committed', 'stat', '-c', '%u:%g', '/mine', '/d']), 'run committed').trim(), '0:0\n1000:50');
    assert.equal(ok(await docker(['run', '--rm', '--userns=host', 'committed', 'stat', '-c', '%u:%g', '/mine', '/d']), 'run host').trim(), '0:0\n1000:50');
    const ctx = mkdtempSync('/tmp/skiff-userns-build-');
    try {
      writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo y > /built && mkdir /bd && chown 1000:50 /bd\n');
      ok(await d.docker(['build', '-t', 'built', ctx], { env: { DOCKER_BUILDKIT: '0' } }), 'build');
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    assert.equal(ok(await docker(['run', '--rm', '--userns=host', 'built', 'stat', '-c', '%u:%g', '/built', '/bd']), 'run built').trim(), '0:0\n1000:50');
  });

  it('docker cp and export of a remapped container speak the container’s ids, running or stopped', async () => {
    const work = mkdtempSync('/tmp/skiff-userns-cp-');
    try {
      assert.deepEqual(await remapCpScenario(docker, d.env, work, subuidStart('skiffremap')), REMAP_CP_EXPECTED);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('docker cp and export of a --userns=auto container use its own block, even before its first start', async () => {
    const work = mkdtempSync('/tmp/skiff-userns-cp-');
    try {
      const hf = hostFile(work);
      // Stopped after its first run: the block is in its record, its layer copies exist.
      ok(await d.skiff(['run', '--userns=auto', '--name', 'autocp', 'busybox', 'sh', '-c', 'echo x > /f; chown 7:8 /f']), 'run');
      await cpOut(d.env, 'autocp:/f', join(work, 'f.tar'));
      assert.deepEqual(await tarOwners(join(work, 'f.tar'), ['f']), ['f 7/8']);
      ok(await docker(['export', '-o', join(work, 'x.tar'), 'autocp']), 'export');
      assert.deepEqual(await tarOwners(join(work, 'x.tar'), ['f', 'bin/busybox', 'etc']), ['bin/busybox 0/0', 'etc 0/0', 'f 7/8']);
      // Never started: the copy in allocates the block its start then runs with.
      ok(await d.skiff(['create', '--userns=auto', '--name', 'autonew', 'busybox', 'stat', '-c', '%u:%g', '/bin', '/bin/hf']), 'create');
      ok(await docker(['cp', hf, 'autonew:/bin/']), 'cp into created');
      assert.equal(ok(await docker(['start', '-a', 'autonew']), 'start').trim(), '0:0\n0:0');
      ok(await docker(['rm', '-f', 'autocp', 'autonew']), 'rm');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('privileged and the host network need --userns=host, with dockerd’s messages', async () => {
    fails(await docker(['run', '--rm', '--privileged', 'busybox', 'true']), 125, 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    fails(await docker(['run', '--rm', '--net', 'host', 'busybox', 'true']), 125, "cannot share the host's network namespace when user namespaces are enabled");
    assert.equal(ok(await docker(['ps', '-aq']), 'ps').trim(), '', 'nothing was created');
  });

  it('--userns=auto gives each container its own block, freed at rm', async () => {
    const a = ok(await d.skiff(['run', '-d', '--userns=auto', '-v', 'autovol:/data', 'busybox', 'sh', '-c', 'echo a > /data/f; sleep 300']), 'run a').trim();
    const b = ok(await d.skiff(['run', '-d', '--userns=auto', 'busybox', 'sleep', '300']), 'run b').trim();
    const uidA = await hostUid(ok(await docker(['inspect', '-f', '{{.State.Pid}}', a]), 'inspect'));
    const uidB = await hostUid(ok(await docker(['inspect', '-f', '{{.State.Pid}}', b]), 'inspect'));
    const pool = subuidStart('skiffauto');
    assert.ok(uidA >= pool && uidB >= pool && Math.abs(uidA - uidB) >= 65536, `distinct blocks: ${uidA} ${uidB}`);
    assert.notEqual(uidA, subuidStart('skiffremap'));
    const mountpoint = ok(await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'autovol']), 'volume inspect').trim();
    await waitForFile(join(mountpoint, 'f'));
    assert.equal(statSync(join(mountpoint, 'f')).uid, uidA);
    assert.equal(ok(await docker(['inspect', '-f', '{{.HostConfig.UsernsMode}}', a]), 'inspect').trim(), 'auto');
    ok(await docker(['rm', '-f', a]), 'rm a');
    assert.ok(!existsSync(join(d.dataRoot, 'remap', `${uidA}.${uidA}`)), 'the layer copies of a went with it');
    const c = ok(await d.skiff(['run', '-d', '--userns=auto', 'busybox', 'sleep', '300']), 'run c').trim();
    assert.equal(await hostUid(ok(await docker(['inspect', '-f', '{{.State.Pid}}', c]), 'inspect')), uidA, 'a freed block is reused');
    ok(await docker(['rm', '-f', b, c]), 'rm');
    ok(await docker(['volume', 'rm', 'autovol']), 'volume rm');
  });

  it('remapped containers survive a daemon restart and exec still works', async () => {
    const id = ok(await docker(['run', '-d', 'busybox', 'sleep', '300']), 'run').trim();
    await d.restart();
    assert.equal(ok(await docker(['exec', id, 'id', '-u']), 'exec').trim(), '0');
    ok(await docker(['rm', '-f', id]), 'rm');
    ok(await docker(['run', '--rm', 'busybox', 'true']), 'run after restart');
  });
});

function subuidStartGroup(owner: string): number {
  const line = readFileSync('/etc/subgid', 'utf8').split('\n').find((l) => l.startsWith(`${owner}:`));
  assert.ok(line, `/etc/subgid has a range for ${owner}`);
  return Number(line.split(':')[1]);
}

describe('dockerd agrees: --userns-remap root is a high uid on the host', { skip: skip || (!existsSync('/usr/sbin/dockerd') && 'dockerd is not installed'), timeout: 300_000 }, () => {
  it('root in the container and its volume files are the dockremap range', async () => {
    const dd = await startPrivateDockerd({ args: ['--userns-remap=default'] });
    assert.ok(dd, 'dockerd started');
    try {
      const id = ok(await dd.docker(['run', '-d', '-v', 'remapvol:/data', 'busybox', 'sh', '-c', 'echo hi > /data/f; sleep 300']), 'run').trim();
      const base = subuidStart('dockremap');
      assert.equal(await hostUid(ok(await dd.docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect')), base);
      const mountpoint = ok(await dd.docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'remapvol']), 'volume inspect').trim();
      await waitForFile(join(mountpoint, 'f'));
      assert.equal(statSync(join(mountpoint, 'f')).uid, base);
      fails(await dd.docker(['run', '--rm', '--privileged', 'busybox', 'true']), 125, 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
      ok(await dd.docker(['rm', '-f', id]), 'rm');
      // docker cp and export speak the container's ids (the same steps skiffd is held to).
      const work = mkdtempSync('/tmp/skiff-userns-cp-');
      try {
        const seen = await remapCpScenario(dd.docker, { DOCKER_HOST: `unix://${dd.socket}` }, work, base);
        assert.deepEqual(seen, dockerdRemapCpExpected(base, subuidStartGroup('dockremap')));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    } finally {
      await dd.stop();
    }
  });
});
