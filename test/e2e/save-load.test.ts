// docker save / docker load between skiff and dockerd 20.10, gzip, and archives that lie.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';
import { dockerdBinary, type Oracle, startOracle } from './save-load-oracle.js';

const skip = !isRoot() ? 'e2e tests need root' : dockerBinary() === undefined ? 'the docker CLI is not installed' : false;

describe('docker save and load', { skip, timeout: 400_000 }, () => {
  let d: Daemon;
  let oracle: Oracle | undefined;
  let work: string;
  const noOracle = dockerdBinary() === undefined ? 'dockerd is not installed' : false;

  before(async () => {
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
    ok(await d.docker(['run', '--name', 'cc', 'busybox', 'sh', '-c', 'echo saved > /marker']), 'run');
    ok(await d.docker(['commit', 'cc', 'mine:v1']), 'commit');
    ok(await d.docker(['rm', 'cc']), 'rm');
    work = mkdtempSync('/tmp/skf-save-');
  });
  after(async () => {
    await oracle?.stop();
    await d?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('an image saved by skiff loads and runs in dockerd, and dockerd\'s save loads and runs in skiff', { skip: noOracle }, async () => {
    oracle = await startOracle();
    const ours = join(work, 'ours.tar');
    ok(await d.docker(['save', '-o', ours, 'mine:v1']), 'save');
    const loaded = ok(await oracle.docker(['load', '-i', ours]), 'dockerd load');
    assert.match(loaded, /Loaded image: mine:v1/);
    assert.equal(ok(await oracle.docker(['run', '--rm', '--network', 'none', 'mine:v1', 'cat', '/marker']), 'dockerd run'), 'saved\n');

    ok(await oracle.docker(['run', '--name', 'oo', '--network', 'none', 'mine:v1', 'sh', '-c', 'echo theirs > /theirs']), 'dockerd run');
    ok(await oracle.docker(['commit', 'oo', 'theirs:v2']), 'dockerd commit');
    const theirs = join(work, 'theirs.tar');
    ok(await oracle.docker(['save', '-o', theirs, 'theirs:v2']), 'dockerd save');
    assert.match(ok(await d.docker(['load', '-i', theirs]), 'skiff load'), /Loaded image: theirs:v2/);
    assert.equal(ok(await d.docker(['run', '--rm', 'theirs:v2', 'cat', '/theirs', '/marker']), 'run'), 'theirs\nsaved\n');
    const idTheirs = ok(await oracle.docker(['image', 'inspect', '-f', '{{.Id}}', 'theirs:v2']), 'inspect');
    assert.equal(ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'theirs:v2']), 'inspect'), idTheirs, 'the image keeps its ID');

    // And back again: a loaded image saves byte-identical layers, so dockerd sees the same ID.
    const again = join(work, 'again.tar');
    ok(await d.docker(['save', '-o', again, 'theirs:v2']), 'save again');
    ok(await oracle.docker(['rmi', 'theirs:v2']), 'rmi');
    ok(await oracle.docker(['load', '-i', again]), 'dockerd load again');
    assert.equal(ok(await oracle.docker(['image', 'inspect', '-f', '{{.Id}}', 'theirs:v2']), 'inspect'), idTheirs);
  });

  it('loads gzip archives and prints only the result with -q', async () => {
    const plain = join(work, 'plain.tar');
    ok(await d.docker(['save', '-o', plain, 'mine:v1']), 'save');
    const gz = join(work, 'gz.tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    ok(await d.docker(['rmi', 'mine:v1']), 'rmi');
    assert.equal(ok(await d.docker(['load', '-q', '-i', gz]), 'load gz'), 'Loaded image: mine:v1\n');
    assert.equal(ok(await d.docker(['run', '--rm', 'mine:v1', 'cat', '/marker']), 'run'), 'saved\n');
  });

  it('an archive whose manifest lies about digests is rejected and leaves nothing behind', async () => {
    const plain = join(work, 'lie-src.tar');
    ok(await d.docker(['save', '-o', plain, 'mine:v1']), 'save');
    const x = join(work, 'x');
    mkdirSync(x);
    ok(await runCommand('tar', ['xf', plain, '-C', x]), 'untar');
    const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[]; RepoTags: string[] }>;
    const entry = manifest[0]!;
    entry.RepoTags = ['liar:v1'];
    // The top layer's bytes no longer match its name: a changed file inside the tar.
    const top = join(x, entry.Layers[entry.Layers.length - 1]!);
    const bytes = readFileSync(top);
    const at = bytes.indexOf('saved\n');
    assert.ok(at > 0, 'the marker is in the top layer');
    bytes.write('SAVED\n', at);
    writeFileSync(top, bytes);
    writeFileSync(join(x, 'manifest.json'), JSON.stringify(manifest));
    const liar = join(work, 'liar.tar');
    ok(await runCommand('tar', ['cf', liar, '-C', x, '.']), 'tar');
    const layersBefore = readdirSync(join(d.dataRoot, 'layers')).sort();
    const r = await d.docker(['load', '-i', liar]);
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /does not match its digest/);
    assert.equal((await d.docker(['image', 'inspect', 'liar:v1'])).code, 1, 'no image');
    assert.deepEqual(readdirSync(join(d.dataRoot, 'layers')).sort(), layersBefore, 'no layer left');

    // Renamed so the file name promises nothing: the diffID check on unpack catches it, and the new layer goes again.
    const renamed = 'lying-layer.tar';
    writeFileSync(join(x, renamed), bytes);
    rmSync(top);
    entry.Layers[entry.Layers.length - 1] = renamed;
    writeFileSync(join(x, 'manifest.json'), JSON.stringify(manifest));
    ok(await runCommand('tar', ['cf', liar, '-C', x, '.']), 'tar');
    ok(await d.docker(['rmi', 'mine:v1']), 'rmi'); // so the layer is new to the store
    const layersBefore2 = readdirSync(join(d.dataRoot, 'layers')).sort();
    const r2 = await d.docker(['load', '-i', liar]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stdout + r2.stderr, /diffID mismatch/);
    assert.equal((await d.docker(['image', 'inspect', 'liar:v1'])).code, 1, 'no image');
    assert.deepEqual(readdirSync(join(d.dataRoot, 'layers')).sort(), layersBefore2, 'no layer left');
  });
});
