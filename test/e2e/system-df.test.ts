// The Engine API calls real clients were still missing (issue #11 follow-up), each driven the
// same way against skiffd and, where installed, a private dockerd (the oracle): `docker system
// df` and `-v` with real sizes, `ps -s`, `container prune` label/until filters, the event order of
// `rm -f`, a start with a request body refused, and `/distribution/{name}/json` against skiff's
// own registry server with basic auth (X-Registry-Auth honoured).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxTarball, dockerBinary, findOnPath, isRoot } from './fixtures.js';
import { startDaemon, type CommandResult } from './harness.js';
import { startPrivateDockerd } from './private-dockerd.js';
import { startRegistry, type RegistryProcess } from './registry-server-client.js';

interface Target {
  socket: string;
  docker(args: readonly string[], opts?: { input?: string }): Promise<CommandResult>;
  logTail(): string;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
}

/** One raw HTTP request on a daemon's unix socket. */
function api(socket: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const USER = 'dfuser';
const PASSWORD = 'df-secret';
const authHeader = (serveraddress: string) =>
  Buffer.from(JSON.stringify({ username: USER, password: PASSWORD, serveraddress })).toString('base64url');

const targets: Array<{ name: string; skip: string | false; start: () => Promise<Target> }> = [
  {
    name: 'skiffd',
    skip: false,
    start: async () => {
      const d = await startDaemon();
      const imp = await d.docker(['import', await busyboxTarball(), 'busybox']);
      assert.equal(imp.code, 0, `import: ${imp.stderr}`);
      return { socket: d.socket, docker: (a, o) => d.docker(a, o), logTail: () => d.logTail(), stop: () => d.stop() };
    },
  },
  {
    name: 'dockerd',
    skip: findOnPath('dockerd') === undefined ? 'dockerd is not installed (the oracle)' : false,
    start: async () => {
      const dd = await startPrivateDockerd();
      if (dd === undefined) throw new Error('could not start a private dockerd');
      return { socket: dd.socket, docker: (a, o) => dd.docker(a, o), logTail: () => '', stop: () => dd.stop() };
    },
  },
];

const baseSkip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

for (const target of targets) {
  describe(`engine API gaps against ${target.name}`, { skip: baseSkip || target.skip, timeout: 300_000 }, () => {
    let t: Target;
    const ok = async (args: string[], input?: string): Promise<string> => {
      const r = await t.docker(args, input !== undefined ? { input } : {});
      assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}\n${t.logTail()}`);
      return r.stdout;
    };

    before(async () => {
      t = await target.start();
    });
    after(async () => {
      await t?.stop();
    });

    it('system df reports real image, container and volume sizes', async () => {
      await ok(['volume', 'create', 'dfvol']);
      await ok(['run', '--name', 'dfc1', '-v', 'dfvol:/data', 'busybox', 'sh', '-c', 'echo hello > /data/f; dd if=/dev/zero of=/big bs=1k count=100 2>/dev/null']);
      await ok(['create', '--name', 'dfc2', 'busybox', 'true']);

      const r = await api(t.socket, 'GET', '/v1.41/system/df');
      assert.equal(r.status, 200, r.body);
      const df = JSON.parse(r.body) as {
        LayersSize: number;
        Images: Array<{ RepoTags: string[]; Containers: number; Size: number; SharedSize: number; VirtualSize: number }>;
        Containers: Array<{ Names: string[]; SizeRw?: number; SizeRootFs?: number }>;
        Volumes: Array<{ Name: string; UsageData: { Size: number; RefCount: number } }>;
        BuildCache: unknown[] | null;
      };
      const img = df.Images.find((i) => i.RepoTags.includes('busybox:latest'));
      assert.ok(img, r.body);
      assert.ok(img.Size > 1_000_000, `busybox is over 1 MB: ${img.Size}`);
      assert.equal(img.VirtualSize, img.Size);
      assert.equal(img.SharedSize, 0);
      assert.equal(img.Containers, 2);
      assert.equal(df.LayersSize, img.Size);
      const c1 = df.Containers.find((c) => c.Names[0] === '/dfc1');
      const c2 = df.Containers.find((c) => c.Names[0] === '/dfc2');
      assert.equal(c1?.SizeRw, 102400, 'the 100 KiB file written outside the volume');
      assert.equal(c1?.SizeRootFs, 102400 + img.Size);
      assert.equal(c2?.SizeRw, undefined, 'a zero SizeRw is left out, as dockerd does');
      assert.equal(c2?.SizeRootFs, img.Size);
      assert.deepEqual(df.Volumes.find((v) => v.Name === 'dfvol')?.UsageData, { Size: 6, RefCount: 1 });
      assert.equal((df.BuildCache ?? []).length, 0);

      const summary = await ok(['system', 'df']);
      assert.match(summary, /^Containers\s+2\s+0\s+102\.4kB\s+102\.4kB \(100%\)$/m, summary);
      assert.match(summary, /^Local Volumes\s+1\s+1\s+6B\s+0B \(0%\)$/m, summary);
      assert.match(summary, /^Images\s+1\s+1\s+/m, summary);
      const verbose = await ok(['system', 'df', '-v']);
      assert.match(verbose, /^dfvol\s+1\s+6B$/m, verbose);
      assert.match(verbose, /\s1\s+102kB\s.*dfc1$/m, verbose);
      assert.match(verbose, /^busybox\s+latest\s+\w{12}\s.*\s2$/m, verbose);

      // Prune reclaims what the writable layers held.
      const pruned = await ok(['container', 'prune', '-f']);
      assert.match(pruned, /^Total reclaimed space: 102\.4kB$/m, pruned);
      await ok(['volume', 'rm', 'dfvol']);
    });

    it('ps -s shows the read-write layer and the virtual size, from GET /containers/json?size=1', async () => {
      await ok(['run', '--name', 'psz', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=200 2>/dev/null']);
      await ok(['create', '--name', 'psz-clean', 'busybox', 'true']);
      const imageSize = Number((await ok(['image', 'inspect', '-f', '{{.Size}}', 'busybox'])).trim());
      const listed = async (query: string) => {
        const r = await api(t.socket, 'GET', `/v1.41/containers/json?all=1${query}`);
        assert.equal(r.status, 200, r.body);
        return JSON.parse(r.body) as Array<{ Names: string[]; SizeRw?: number; SizeRootFs?: number }>;
      };
      const sized = await listed('&size=1');
      const written = sized.find((c) => c.Names[0] === '/psz');
      const clean = sized.find((c) => c.Names[0] === '/psz-clean');
      assert.equal(written?.SizeRw, 204800);
      assert.equal(written?.SizeRootFs, 204800 + imageSize);
      assert.equal(clean?.SizeRw, undefined, 'a zero SizeRw is left out');
      assert.equal(clean?.SizeRootFs, imageSize);
      // Sizes are walks of the disk: only when asked.
      assert.equal((await listed('')).find((c) => c.Names[0] === '/psz')?.SizeRw, undefined);

      const out = await ok(['ps', '-a', '-s', '--filter', 'name=psz', '--format', '{{.Names}} {{.Size}}']);
      assert.match(out, /^psz 205kB \(virtual [\d.]+MB\)$/m, out);
      assert.match(out, /^psz-clean 0B \(virtual [\d.]+MB\)$/m, out);
      await ok(['rm', 'psz', 'psz-clean']);
    });

    it('system df with type=volume on API 1.42 answers only the volumes', async (ctx) => {
      const version = JSON.parse((await api(t.socket, 'GET', '/version')).body) as { ApiVersion: string };
      if (Number(version.ApiVersion.split('.')[1]) < 42) return ctx.skip(`the daemon speaks API ${version.ApiVersion} only`);
      const r = await api(t.socket, 'GET', '/v1.42/system/df?type=volume');
      assert.equal(r.status, 200, r.body);
      const df = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(df.Images, null);
      assert.equal(df.Containers, null);
      assert.ok(Array.isArray(df.Volumes));
      const bad = await api(t.socket, 'GET', '/v1.42/system/df?type=bogus');
      assert.equal(bad.status, 400);
      assert.match(bad.body, /unknown object type: bogus/);
    });

    it('container prune honours label, label! and until filters', async () => {
      const p1 = (await ok(['create', '-l', 'suite=prune', '-l', 'a=b', 'busybox', 'true'])).trim();
      const p2 = (await ok(['create', '-l', 'suite=prune', '-l', 'a=c', 'busybox', 'true'])).trim();
      const p3 = (await ok(['create', '-l', 'suite=prune', '-l', 'keep=1', 'busybox', 'true'])).trim();
      const first = await ok(['container', 'prune', '-f', '--filter', 'label=a=b']);
      assert.equal(first, `Deleted Containers:\n${p1}\n\nTotal reclaimed space: 0B\n`);
      const none = await ok(['container', 'prune', '-f', '--filter', 'until=1h']);
      assert.equal(none, 'Total reclaimed space: 0B\n', 'everything was created less than an hour ago');
      const empty = await api(t.socket, 'POST', `/v1.41/containers/prune?filters=${encodeURIComponent('{"until":["1h"]}')}`);
      assert.deepEqual(JSON.parse(empty.body), { ContainersDeleted: null, SpaceReclaimed: 0 });
      const second = await ok(['container', 'prune', '-f', '--filter', 'label=suite=prune', '--filter', 'label!=keep']);
      assert.equal(second, `Deleted Containers:\n${p2}\n\nTotal reclaimed space: 0B\n`);
      const left = (await ok(['ps', '-aq', '--no-trunc'])).trim().split('\n');
      assert.deepEqual(left, [p3]);
      const bad = await api(t.socket, 'POST', `/v1.41/containers/prune?filters=${encodeURIComponent('{"until":["soon"]}')}`);
      // dockerd 20.10 answers this one with a 500, skiff (like image prune) with a 400: both refuse it.
      assert.ok(bad.status === 400 || bad.status === 500, `${bad.status} ${bad.body}`);
      assert.match(bad.body, /failed to parse value as time or duration: \\"soon\\"/);
      await ok(['rm', p3]);
    });

    it('rm -f of a running container emits kill, die, destroy in that order', async () => {
      const since = Math.floor(Date.now() / 1000) - 1;
      const id = (await ok(['run', '-d', 'busybox', 'sleep', '100'])).trim();
      await ok(['rm', '-f', id]);
      const until = Math.ceil(Date.now() / 1000) + 1;
      const out = await ok(['events', '--since', String(since), '--until', String(until), '--filter', `container=${id}`, '--format', '{{.Action}} {{index .Actor.Attributes "signal"}}']);
      const actions = out.trim().split('\n').map((l) => l.trim()).filter((l) => !l.startsWith('create') && !l.startsWith('start') && !l.startsWith('attach'));
      assert.deepEqual(actions, ['kill 9', 'die', 'destroy']);
    });

    it('start with a non-empty body is refused as dockerd refuses it since API 1.24', async () => {
      const id = (await ok(['create', 'busybox', 'true'])).trim();
      const refused = await api(t.socket, 'POST', `/v1.41/containers/${id}/start`, '{"Binds":[]}');
      assert.equal(refused.status, 400);
      assert.equal(JSON.parse(refused.body).message, 'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
      const started = await api(t.socket, 'POST', `/v1.41/containers/${id}/start`, '{}');
      assert.equal(started.status, 204, started.body);
      await ok(['wait', id]);
      await ok(['rm', id]);
    });

    describe('distribution inspect', { skip: findOnPath('htpasswd') === undefined ? 'htpasswd is not installed' : false }, () => {
      let reg: RegistryProcess;
      let dir: string;
      let host: string;
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'skdf-'));
        writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-nbB', USER, PASSWORD]));
        reg = await startRegistry(['--root', join(dir, 'root'), '--htpasswd', join(dir, 'htpasswd')]);
        host = new URL(reg.url).host;
      });
      after(async () => {
        await reg?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      it('GET /distribution/{name}/json answers the pushed manifest descriptor and platform', async () => {
        await ok(['login', '-u', USER, '--password-stdin', host], PASSWORD);
        await ok(['tag', 'busybox', `${host}/df/bb:v1`]);
        const pushed = await ok(['push', `${host}/df/bb:v1`]);
        const digest = /digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(pushed);
        assert.ok(digest, pushed);
        const auth = { 'X-Registry-Auth': authHeader(host) };

        const r = await api(t.socket, 'GET', `/v1.41/distribution/${host}/df/bb:v1/json`, undefined, auth);
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(JSON.parse(r.body), {
          Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: digest[1], size: Number(digest[2]) },
          Platforms: [{ architecture: 'amd64', os: 'linux' }],
        });
        const byDigest = await api(t.socket, 'GET', `/v1.41/distribution/${host}/df/bb@${digest[1]}/json`, undefined, auth);
        assert.equal(byDigest.status, 200, byDigest.body);
        assert.equal((JSON.parse(byDigest.body) as { Descriptor: { digest: string } }).Descriptor.digest, digest[1]);

        const unknownTag = await api(t.socket, 'GET', `/v1.41/distribution/${host}/df/bb:nope/json`, undefined, auth);
        assert.equal(unknownTag.status, 404, unknownTag.body);
        assert.match(unknownTag.body, /manifest unknown/);
        const anonymous = await api(t.socket, 'GET', `/v1.41/distribution/${host}/df/bb:v1/json`);
        assert.equal(anonymous.status >= 400, true, `no credentials: ${anonymous.status} ${anonymous.body}`);
        assert.match(anonymous.body, /unauthorized|authentication required|no basic auth credentials/i);
        const fullId = await api(t.socket, 'GET', `/v1.41/distribution/sha256:${'a'.repeat(64)}/json`);
        assert.equal(fullId.status, 500);
        assert.match(fullId.body, /no manifest found for full image ID/);
      });
    });
  });
}
