// The seed's publish steps with the real docker CLI through skiffd, against skiff's own registry
// server (htpasswd auth) and against Debian's docker-registry: login, tag, push, rmi, pull, run,
// then commit → tag v2 → push → pull again, and skopeo inspect of what was pushed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fails, ok } from './cli.js';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { PASSWORD, registryMissing, startRegistry as startDebianRegistry, USER } from './registry-client-fixtures.js';
import { startRegistry as startSkiffRegistry, type RegistryProcess } from './registry-server-client.js';

interface Target {
  name: string;
  skip: string | false;
  start(): Promise<{ host: string; stop(): Promise<unknown> }>;
}

const htpasswdMissing = findOnPath('htpasswd') === undefined ? 'htpasswd (apache2-utils) is not installed' : false;

const targets: Target[] = [
  {
    name: "skiff's registry server",
    skip: htpasswdMissing,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'skrt-'));
      const htpasswd = join(dir, 'htpasswd');
      writeFileSync(htpasswd, execFileSync('htpasswd', ['-nbB', USER, PASSWORD]));
      const reg: RegistryProcess = await startSkiffRegistry(['--root', join(dir, 'root'), '--htpasswd', htpasswd]);
      return {
        host: new URL(reg.url).host,
        async stop() {
          await reg.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "Debian's docker-registry",
    skip: registryMissing(),
    async start() {
      // Straight to the registry: the fault proxy is for the fault tests only.
      const reg = await startDebianRegistry();
      return { host: reg.directHost, stop: () => reg.stop() };
    },
  },
];

for (const target of targets) {
  const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : target.skip;

  describe(`seed publish round trip against ${target.name}`, { skip, timeout: 300_000 }, () => {
    let d: Daemon;
    let reg: { host: string; stop(): Promise<unknown> };
    let repo: string;
    const docker = (args: string[], input?: string) => d.docker(args, { timeoutMs: 120_000, ...(input ? { input } : {}) });

    before(async () => {
      reg = await target.start();
      d = await startDaemon();
      repo = `${reg.host}/geektime/helloworld`;
      ok(await docker(['import', '-c', 'CMD ["sh","-c","echo Hello World!"]', await busyboxTarball(), 'helloworld']), 'import');
    });
    after(async () => {
      try {
        await d?.stop();
      } finally {
        await reg?.stop();
      }
    });

    it('a push without login is refused, login with the right password succeeds', async () => {
      ok(await docker(['tag', 'helloworld', `${repo}:v1`]), 'tag');
      fails(await docker(['push', `${repo}:v1`]), 1, /unauthorized|authentication required|no basic auth credentials/);
      const bad = await docker(['login', '-u', USER, '--password-stdin', reg.host], 'wrong\n');
      assert.notEqual(bad.code, 0, 'login with a wrong password succeeded');
      assert.match(ok(await docker(['login', '-u', USER, '--password-stdin', reg.host], `${PASSWORD}\n`), 'login'), /Login Succeeded/);
    });

    it('push, rmi, pull and run give back the image, with the same image ID', async () => {
      const id = ok(await docker(['image', 'inspect', '-f', '{{.Id}}', 'helloworld']), 'inspect');
      const pushed = ok(await docker(['push', `${repo}:v1`]), 'push');
      assert.match(pushed, /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
      ok(await docker(['rmi', `${repo}:v1`, 'helloworld']), 'rmi');
      assert.match(ok(await docker(['pull', `${repo}:v1`]), 'pull'), /Downloaded newer image|Image is up to date/);
      // The imported layer's tar went out byte for byte (tar-split), so its diffID and the config are unchanged.
      assert.equal(ok(await docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:v1`]), 'inspect'), id);
      assert.equal(ok(await docker(['run', '--rm', `${repo}:v1`]), 'run'), 'Hello World!\n');
    });

    it('commit of a change, tagged v2, pushes and pulls back with the change', async () => {
      ok(await docker(['run', '--name', 'changed', `${repo}:v1`, 'sh', '-c', 'echo v2 > /version']), 'run');
      ok(await docker(['commit', '-c', 'CMD ["cat","/version"]', 'changed', `${repo}:v2`]), 'commit');
      ok(await docker(['rm', 'changed']), 'rm');
      const id = ok(await docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:v2`]), 'inspect');
      const pushed = ok(await docker(['push', `${repo}:v2`]), 'push v2');
      assert.match(pushed, /Layer already exists/, 'the base layer was uploaded again');
      ok(await docker(['rmi', `${repo}:v2`]), 'rmi v2');
      ok(await docker(['pull', `${repo}:v2`]), 'pull v2');
      assert.equal(ok(await docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:v2`]), 'inspect v2'), id, 'the committed image kept its ID through push and pull');
      assert.equal(ok(await docker(['run', '--rm', `${repo}:v2`]), 'run v2'), 'v2\n');
    });

    it('skopeo inspect of what was pushed shows a valid manifest and config', { skip: findOnPath('skopeo') === undefined ? 'skopeo is not installed' : false }, async () => {
      const out = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${repo}:v2`], { encoding: 'utf8' });
      const info = JSON.parse(out) as { Digest: string; Layers: string[]; Os: string; Architecture: string };
      assert.match(info.Digest, /^sha256:[0-9a-f]{64}$/);
      assert.equal(info.Layers.length, 2);
      assert.equal(info.Os, 'linux');
      assert.equal(info.Architecture, 'amd64');
      const raw = JSON.parse(
        execFileSync('skopeo', ['inspect', '--raw', '--config', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${repo}:v2`], { encoding: 'utf8' }),
      ) as { config?: { Cmd?: string[] }; rootfs: { diff_ids: string[] } };
      assert.deepEqual(raw.config?.Cmd, ['cat', '/version']);
      assert.equal(raw.rootfs.diff_ids.length, 2);
    });
  });
}
