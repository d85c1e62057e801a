// docker build against skiffd with bad input and interrupted builds: the errors dockerd gives,
// the failed RUN's container kept as dockerd keeps it (removed with --force-rm), a hostile
// context refused, and a client that hangs up mid-RUN leaving no container, mount or temp file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allContainerIds, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { dotDotEntries, packTar, uniqueTag } from './hostile-tars.js';
import { mountsUnder } from './leak-check.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('docker build with bad input', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  const dirs: string[] = [];
  const context = (files: Record<string, string>): string => {
    const dir = mkdtempSync('/tmp/skiff-bad-build-');
    dirs.push(dir);
    for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
    return dir;
  };
  const build = (dir: string, ...args: string[]) => d.docker(['build', ...args, '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' } });

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await d?.stop();
  });

  it('an unknown instruction fails before any step', async () => {
    const r = await build(context({ Dockerfile: 'FROM busybox\nRUN true\nFROB x\n' }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: dockerfile parse error line 3: unknown instruction: FROB/);
    assert.doesNotMatch(r.stdout, /Step 1/);
  });

  it('an unterminated heredoc fails before any step', async () => {
    const r = await build(context({ Dockerfile: 'FROM busybox\nRUN <<EOF\necho never closed\n' }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /dockerfile parse error line 2: unterminated heredoc EOF/);
  });

  it('COPY of a path outside the context is refused', async () => {
    const r = await build(context({ Dockerfile: 'FROM busybox\nCOPY ../../etc/passwd /x\n' }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /COPY failed: forbidden path outside the build context: \.\.\/\.\.\/etc\/passwd \(\)/);
  });

  it('a context tarball with ../ entries is refused and writes nothing outside', async () => {
    const tag = uniqueTag();
    const tar = await packTar([{ name: 'Dockerfile', type: 'file', content: 'FROM busybox\nCOPY . /c/\n' }, ...dotDotEntries(tag, '/etc/hostname')]);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: `/v1.41/build?t=dotdot-${tag}`, headers: { 'Content-Type': 'application/x-tar' } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(tar);
    });
    // dockerd answers this context with an error before any stream ("Error processing tar file").
    assert.ok(res.status >= 400 || /errorDetail/.test(res.body), `${res.status} ${res.body}`);
    assert.equal(readdirSync('/tmp').filter((n) => n.includes(`skf-escape-${tag}`) || n.includes(`skf-abs-${tag}`)).length, 0);
    assert.notEqual((await d.docker(['image', 'inspect', `dotdot-${tag}`])).code, 0);
  });

  it('a failing RUN reports code and output, tags nothing and keeps its container as dockerd does', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo partial-output; exit 3\n' });
    const before = await allContainerIds(d.docker);
    const r = await build(dir, '-t', 'broken');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^partial-output$/m);
    assert.match(r.stderr, /The command '\/bin\/sh -c echo partial-output; exit 3' returned a non-zero code: 3/);
    assert.notEqual((await d.docker(['image', 'inspect', 'broken'])).code, 0, 'no image tagged');
    // dockerd 20.10 (recorded): the failed intermediate container stays, Exited (3).
    const kept = (await allContainerIds(d.docker)).filter((id) => !before.includes(id));
    assert.equal(kept.length, 1);
    assert.match(ok(await d.docker(['ps', '-a', '--format', '{{.Status}}', '--filter', `id=${kept[0] ?? ''}`])), /^Exited \(3\)/);
    assert.deepEqual(mountsUnder(d.root), [], 'the failed step left nothing mounted');
    ok(await d.docker(['rm', kept[0] ?? '']), 'rm');
    // --force-rm removes it too.
    const r2 = await build(dir, '--force-rm', '-t', 'broken');
    assert.equal(r2.code, 3);
    assert.deepEqual(await allContainerIds(d.docker), before);
  });

  it('a client that hangs up mid-RUN aborts the build and leaves nothing behind', async () => {
    const before = await allContainerIds(d.docker);
    const tar = await packTar([{ name: 'Dockerfile', type: 'file', content: 'FROM busybox\nRUN echo started-long-step; sleep 120\n' }]);
    const seen = await new Promise<string>((resolve, reject) => {
      let text = '';
      const req = request({ socketPath: d.socket, method: 'POST', path: '/v1.41/build?t=interrupted', headers: { 'Content-Type': 'application/x-tar' } }, (r) => {
        r.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('{"stream":"started-long-step\\n"}')) {
            req.destroy();
            resolve(text);
          }
        });
        r.on('error', () => {});
      });
      req.on('error', (e) => (text.includes('{"stream":"started-long-step\\n"}') ? undefined : reject(e)));
      req.end(tar);
    });
    assert.match(seen, /Running in [0-9a-f]{12}/);
    await until('the build container to be removed', async () => (await allContainerIds(d.docker)).length === before.length);
    assert.deepEqual(await allContainerIds(d.docker), before);
    await until('mounts to go', () => mountsUnder(d.root).length === 0);
    await until('the build temp files to go', () => readdirSync(join(d.dataRoot, 'tmp')).filter((n) => n.startsWith('build-')).length === 0);
    assert.notEqual((await d.docker(['image', 'inspect', 'interrupted'])).code, 0);
  });
});
