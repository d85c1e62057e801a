import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostPathOf, mkdirInContainer, resolveInContainer } from './container-path.js';

const base = mkdtempSync(join(tmpdir(), 'cpath-'));
const root = join(base, 'root');
const vol = join(base, 'vol');
mkdirSync(join(root, 'etc'), { recursive: true });
mkdirSync(join(root, 'data'));
mkdirSync(vol);
writeFileSync(join(root, 'etc', 'passwd'), 'inside');
writeFileSync(join(vol, 'v'), 'volume');
writeFileSync(join(base, 'secret'), 'outside');
symlinkSync('/etc/passwd', join(root, 'abs'));
symlinkSync('../../../../secret', join(root, 'climb'));
symlinkSync('/', join(root, 'rootlink'));
symlinkSync('../..', join(root, 'etc', 'up'));
const view = { root, mounts: [{ destination: '/data', source: vol }] };
after(() => rmSync(base, { recursive: true, force: true }));

test('resolveInContainer re-roots absolute symlinks at the container root', async () => {
  const r = await resolveInContainer(view, '/abs', true);
  assert.equal(r.host, join(root, 'etc', 'passwd'));
  assert.deepEqual(r.components, ['etc', 'passwd']);
});

test('resolveInContainer stops .. and climbing symlinks at the container root', async () => {
  assert.equal((await resolveInContainer(view, '/../../../secret', true)).host, join(root, 'secret'));
  const climbed = await resolveInContainer(view, '/climb', true);
  assert.equal(climbed.host, join(root, 'secret'));
  assert.equal(climbed.exists, false);
  assert.equal((await resolveInContainer(view, '/etc/up/etc/passwd', true)).host, join(root, 'etc', 'passwd'));
  assert.equal((await resolveInContainer(view, '/rootlink/../etc', true)).host, join(root, 'etc'));
});

test('resolveInContainer leaves a last symlink alone unless asked to follow it', async () => {
  const r = await resolveInContainer(view, '/abs', false);
  assert.equal(r.host, join(root, 'abs'));
});

test('resolveInContainer splices mounts in by destination', async () => {
  assert.equal((await resolveInContainer(view, '/data/v', false)).host, join(vol, 'v'));
  assert.equal(hostPathOf(view, ['data']), vol);
  assert.equal(hostPathOf(view, ['database']), join(root, 'database'));
});

test('mkdirInContainer creates directories inside the root even through a climbing link', async () => {
  const dir = await mkdirInContainer(view, ['climb-dir', 'x']);
  assert.equal(dir, join(root, 'climb-dir', 'x'));
  await assert.rejects(resolveInContainer(view, '/etc/passwd/x', true), { code: 'ENOTDIR' });
});

test('mkdirInContainer gives the directories it makes to the container root it is told, and only those', { skip: process.getuid?.() !== 0 && 'chown needs root' }, async () => {
  const { statSync } = await import('node:fs');
  await mkdirInContainer(view, ['etc', 'owned', 'deeper'], { uid: 100000, gid: 100001 });
  for (const d of ['owned', 'owned/deeper']) {
    const st = statSync(join(root, 'etc', d));
    assert.deepEqual([st.uid, st.gid], [100000, 100001], d);
  }
  assert.equal(statSync(join(root, 'etc')).uid, process.getuid?.(), 'an existing parent keeps its owner');
});
