// docker build (legacy builder, POST /build) with the real docker CLI: steps, layers and
// history as dockerd 20.10 makes them, a cache that hits on an unchanged context and misses
// from the first changed COPY on, and a failing RUN that leaves nothing behind.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allContainerIds, type ClientName, type Cli, cliFor, ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const DOCKERFILE = `FROM busybox
WORKDIR /app
COPY a.txt .
RUN echo built > /app/out.txt
ENV GREETING=hi
EXPOSE 8080
CMD ["sh", "-c", "cat /app/out.txt /app/a.txt; echo $GREETING"]
`;

const clients: ClientName[] = ['docker', 'skiff'];

for (const client of clients) {
  const skip = !isRoot() ? 'e2e tests need root' : client === 'docker' && dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

  describe(`build with the ${client} CLI`, { skip, timeout: 300_000 }, () => {
    let d: Daemon;
    let cli: Cli;
    let dir = '';
    const build = (args: string[], cwd = dir) => cli(['build', ...args], { cwd, env: { DOCKER_BUILDKIT: '' } });

    before(async () => {
      d = await startDaemon();
      cli = cliFor(d, client);
      ok(await cli(['import', await busyboxTarball(), 'busybox']), 'import');
      dir = mkdtempSync('/tmp/skiff-build-ctx-');
      writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
      writeFileSync(join(dir, 'a.txt'), 'from the context\n');
      writeFileSync(join(dir, 'ignored.txt'), 'never sent\n');
      writeFileSync(join(dir, '.dockerignore'), 'ignored.txt\n');
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await d?.stop();
    });

    it('builds the image with one step line per instruction and tags it', async () => {
      const out = ok(await build(['-t', 'hello', '.']), 'build');
      for (let i = 1; i <= 7; i++) assert.match(out, new RegExp(`^Step ${i}/7 : `, 'm'));
      assert.match(out, /^ ---> Running in [0-9a-f]{12}$/m);
      assert.match(out, /^Removing intermediate container [0-9a-f]{12}$/m);
      assert.match(out, /^Successfully built [0-9a-f]{12}\nSuccessfully tagged hello:latest\n$/m);
      assert.doesNotMatch(out, /Using cache/);
    });

    it('runs the built image with its CMD, ENV and files', async () => {
      assert.equal(ok(await cli(['run', '--rm', 'hello']), 'run'), 'built\nfrom the context\nhi\n');
      assert.equal((await cli(['run', '--rm', 'hello', 'ls', '/app'])).stdout, 'a.txt\nout.txt\n', '.dockerignore kept ignored.txt out');
    });

    it('history lists one row per instruction with 0B for metadata steps', async () => {
      const out = ok(await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', 'hello']), 'history');
      const rows = out.trim().split('\n');
      assert.equal(rows.length, 7, out); // six steps on the imported base; FROM adds no row
      assert.match(rows[0] ?? '', /^\/bin\/sh -c #\(nop\)  CMD \["sh" "-c" .*\|0B$/);
      assert.equal(rows[1], '/bin/sh -c #(nop)  EXPOSE 8080|0B');
      assert.equal(rows[2], '/bin/sh -c #(nop)  ENV GREETING=hi|0B');
      assert.equal(rows[3], '/bin/sh -c echo built > /app/out.txt|6B');
      assert.match(rows[4] ?? '', /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \. \|17B$/);
      assert.equal(rows[5], '/bin/sh -c #(nop) WORKDIR /app|0B');
      const layers = JSON.parse(ok(await cli(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'hello']), 'inspect')) as string[];
      assert.equal(layers.length, 4, 'busybox + WORKDIR (new dir) + COPY + RUN; metadata steps add none');
    });

    it('images hides the intermediate images of the build, images -a lists them', async () => {
      const plain = ok(await cli(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'images').trim().split('\n');
      assert.ok(!plain.includes('<none>:<none>'), `intermediate images listed without -a: ${plain.join(', ')}`);
      const all = ok(await cli(['images', '-a', '--format', '{{.Repository}}:{{.Tag}}']), 'images -a').trim().split('\n');
      assert.ok(all.filter((r) => r === '<none>:<none>').length >= 5, `one intermediate image per step before the last: ${all.join(', ')}`);
    });

    it('rebuilding an unchanged context takes every step from the cache', async () => {
      const id = ok(await cli(['image', 'inspect', '--format', '{{.Id}}', 'hello']), 'inspect').trim();
      const out = ok(await build(['-t', 'hello', '.']), 'rebuild');
      assert.equal((out.match(/ ---> Using cache/g) ?? []).length, 6, out);
      assert.doesNotMatch(out, /Running in/);
      assert.equal(ok(await cli(['image', 'inspect', '--format', '{{.Id}}', 'hello']), 'inspect').trim(), id);
    });

    it('changing a copied file rebuilds from the COPY step on', async () => {
      writeFileSync(join(dir, 'a.txt'), 'changed\n');
      const out = ok(await build(['-t', 'hello', '.']), 'rebuild');
      const steps = out.split(/^Step /m).slice(1);
      assert.match(steps[1] ?? '', /Using cache/, 'WORKDIR still cached');
      for (const s of steps.slice(2)) assert.doesNotMatch(s, /Using cache/, s);
      assert.equal(ok(await cli(['run', '--rm', 'hello']), 'run'), 'built\nchanged\nhi\n');
    });

    it('--no-cache builds every step again', async () => {
      const out = ok(await build(['--no-cache', '-t', 'hello', '.']), 'build --no-cache');
      assert.doesNotMatch(out, /Using cache/);
    });

    it('-q prints only the image ID', async () => {
      const out = ok(await build(['-q', '.']), 'build -q');
      assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
    });

    it('a failing RUN exits with its code, tags nothing and keeps only its failed container (as dockerd)', async () => {
      const bad = mkdtempSync('/tmp/skiff-build-bad-');
      try {
        writeFileSync(join(bad, 'Dockerfile'), 'FROM busybox\nRUN echo partial > /p; exit 3\n');
        const before = await allContainerIds(cli);
        const r = await build(['-t', 'broken', '.'], bad);
        assert.equal(r.code, 3, r.stderr + r.stdout);
        assert.match(r.stderr, /The command '\/bin\/sh -c echo partial > \/p; exit 3' returned a non-zero code: 3/);
        const kept = (await allContainerIds(cli)).filter((id) => !before.includes(id));
        assert.equal(kept.length, 1, 'dockerd keeps the failed intermediate container unless --force-rm');
        ok(await cli(['rm', kept[0] ?? '']), 'rm');
        assert.notEqual((await cli(['image', 'inspect', 'broken'])).code, 0, 'no image was tagged');
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });

    it('FROM an image that does not exist fails with the pull error', async () => {
      const bad = mkdtempSync('/tmp/skiff-build-bad-');
      try {
        writeFileSync(join(bad, 'Dockerfile'), 'FROM nosuchimage\n');
        const r = await build(['.'], bad);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /pull access denied for nosuchimage/);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });

    it('builds multi-stage with COPY --from, build args and FROM scratch', async () => {
      const ms = mkdtempSync('/tmp/skiff-build-ms-');
      try {
        writeFileSync(
          join(ms, 'Dockerfile'),
          'ARG BASE=busybox\nFROM $BASE AS gen\nARG MSG=dflt\nRUN echo "$MSG" > /msg\nFROM scratch\nCOPY --from=gen /msg /bin/busybox /\nCMD ["/busybox", "cat", "/msg"]\n',
        );
        ok(await build(['--build-arg', 'MSG=from-arg', '-t', 'ms', '.'], ms), 'multi-stage build');
        assert.equal(ok(await cli(['run', '--rm', 'ms']), 'run'), 'from-arg\n');
      } finally {
        rmSync(ms, { recursive: true, force: true });
      }
    });
  });
}
