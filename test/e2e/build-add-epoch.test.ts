// ADD (tar archives unpacked, URLs fetched with --checksum from a server on 127.0.0.1, other
// compressions refused clearly) and SOURCE_DATE_EPOCH (two --no-cache builds of one context give
// one image ID; as a --build-arg with the docker CLI, from the environment with skiff's CLI).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;
const REMOTE = 'remote content\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('docker build: ADD and SOURCE_DATE_EPOCH', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  let server: Server;
  let base = '';
  const dirs: string[] = [];
  const context = (dockerfile: string): string => {
    const dir = mkdtempSync('/tmp/skiff-add-build-');
    dirs.push(dir);
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    return dir;
  };
  const build = (dir: string, ...args: string[]) => d.docker(['build', ...args, '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' } });
  const idOf = async (tag: string) => ok(await d.docker(['image', 'inspect', '--format', '{{.Id}}', tag]), 'inspect').trim();

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
    server = createServer((req, res) => {
      if (req.url === '/rem.txt') {
        res.writeHead(200, { 'Last-Modified': new Date(Date.UTC(2020, 0, 2, 3, 4, 5)).toUTCString() });
        res.end(REMOTE);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    server?.close();
    await d?.stop();
  });

  it('ADD unpacks a local gzip tar and a plain tar, keeping their owners', async () => {
    const dir = context('FROM busybox\nADD a.tgz /x\nADD b.tar /y/\n');
    mkdirSync(join(dir, 'src/sub'), { recursive: true });
    writeFileSync(join(dir, 'src/sub/f'), 'in archive\n');
    execFileSync('tar', ['czf', join(dir, 'a.tgz'), '--owner=7', '--group=8', '-C', join(dir, 'src'), 'sub']);
    execFileSync('tar', ['cf', join(dir, 'b.tar'), '-C', join(dir, 'src'), 'sub']);
    rmSync(join(dir, 'src'), { recursive: true });
    ok(await build(dir, '-t', 'addtar'), 'build');
    assert.equal(ok(await d.docker(['run', '--rm', 'addtar', 'sh', '-c', 'cat /x/sub/f /y/sub/f; stat -c %u:%g /x/sub/f; ls /x; ls /y'])), 'in archive\nin archive\n7:8\nsub\nsub\n');
  });

  it('ADD of a bzip2 archive is refused by name', async () => {
    const dir = context('FROM busybox\nADD a.tar.bz2 /x/\n');
    writeFileSync(join(dir, 'f'), 'x');
    execFileSync('tar', ['cjf', join(dir, 'a.tar.bz2'), '-C', dir, 'f']);
    const r = await build(dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ADD failed: a\.tar\.bz2 is a bzip2-compressed archive; this engine unpacks only plain and gzip tar archives/);
  });

  it('ADD of a URL downloads it as dockerd does (mode 0600, Last-Modified), checked by --checksum', async () => {
    const dir = context(`FROM busybox\nADD --checksum=sha256:${sha(REMOTE)} ${base}/rem.txt /d/\nADD ${base}/rem.txt /named\n`);
    ok(await build(dir, '-t', 'addurl'), 'build');
    // Recorded from dockerd 20.10: -rw------- root root, mtime = Last-Modified, history "ADD <hex> in /d/".
    assert.equal(ok(await d.docker(['run', '--rm', 'addurl', 'sh', '-c', 'cat /d/rem.txt; stat -c "%a %u:%g %Y" /d/rem.txt /named'])), `${REMOTE}600 0:0 1577934245\n600 0:0 1577934245\n`);
    const history = ok(await d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'addurl'])).split('\n');
    assert.equal(history[1], `/bin/sh -c #(nop) ADD ${sha(REMOTE)} in /d/ `);
  });

  it('ADD of a URL with a wrong --checksum fails with both digests', async () => {
    const wrong = 'sha256:' + '0'.repeat(64);
    const r = await build(context(`FROM busybox\nADD --checksum=${wrong} ${base}/rem.txt /d/\n`));
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`digest mismatch ${wrong}: sha256:${sha(REMOTE)}`), r.stderr);
    const missing = await build(context(`FROM busybox\nADD ${base}/nope.txt /d/\n`));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /failed to GET http:\/\/127\.0\.0\.1:\d+\/nope\.txt with status 404/);
  });

  it('SOURCE_DATE_EPOCH as a build arg makes two --no-cache builds give one image ID', async () => {
    const dir = context('FROM busybox\nWORKDIR /app\nCOPY f /app/\nRUN echo built > /app/out && mkdir /app/d\nENV A=1\nCMD ["cat", "/app/out"]\n');
    writeFileSync(join(dir, 'f'), 'context file\n');
    const args = ['--no-cache', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000'];
    ok(await build(dir, ...args, '-t', 'repro1'), 'build 1');
    await new Promise((r) => setTimeout(r, 1100)); // a second later: every clock-derived field would differ
    utimesSync(join(dir, 'f'), new Date(), new Date());
    ok(await build(dir, ...args, '-t', 'repro2'), 'build 2');
    assert.equal(await idOf('repro1'), await idOf('repro2'));
    assert.equal(ok(await d.docker(['image', 'inspect', '--format', '{{.Created}}', 'repro1'])).trim(), '2023-11-14T22:13:20Z');
    const mtimes = ok(await d.docker(['run', '--rm', 'repro1', 'stat', '-c', '%Y', '/app', '/app/f', '/app/out', '/app/d'])).trim().split('\n');
    assert.deepEqual(mtimes, ['1700000000', '1700000000', '1700000000', '1700000000']);
    // Without it the same two builds differ (created times, container IDs).
    ok(await build(dir, '--no-cache', '-t', 'plain1'), 'build 3');
    await new Promise((r) => setTimeout(r, 1100));
    ok(await build(dir, '--no-cache', '-t', 'plain2'), 'build 4');
    assert.notEqual(await idOf('plain1'), await idOf('plain2'));
  });

  it('skiff build forwards SOURCE_DATE_EPOCH from its environment', async () => {
    const dir = context('FROM busybox\nRUN echo x > /x\n');
    const env = { SOURCE_DATE_EPOCH: '1600000000' };
    ok(await d.skiff(['build', '--no-cache', '-t', 'sk1', '.'], { cwd: dir, env }), 'skiff build 1');
    ok(await d.skiff(['build', '--no-cache', '-t', 'sk2', '.'], { cwd: dir, env }), 'skiff build 2');
    assert.equal(await idOf('sk1'), await idOf('sk2'));
    assert.equal(ok(await d.docker(['image', 'inspect', '--format', '{{.Created}}', 'sk1'])).trim(), '2020-09-13T12:26:40Z');
  });
});
