import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from '../base/log.js';
import { initialState, type ContainerRecord, type ContainerSpec } from './container-record.js';
import { UsernsSupport, type UsernsSupportDeps } from './userns-support.js';
import type { ContainerPaths } from './container-paths.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } } as unknown as Logger;
const remap = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };

function rec(id: string, host: Partial<ContainerSpec['host']> = {}, status: ContainerRecord['state']['status'] = 'created'): ContainerRecord {
  return {
    id,
    name: id,
    created: '',
    restartCount: 0,
    wire: { config: {}, hostConfig: {} },
    state: { ...initialState(), status },
    spec: { host: { networkMode: 'bridge', pidMode: '', ipcMode: '', privileged: false, usernsMode: '', mounts: [], binds: [], ...host } } as unknown as ContainerSpec,
  };
}

function setup(records: ContainerRecord[], over: Partial<UsernsSupportDeps> = {}) {
  const calls: string[] = [];
  const deps: UsernsSupportDeps = {
    autoPool: () => ({ uids: [{ start: 165536, length: 65536 * 4 }], gids: [{ start: 165536, length: 65536 * 4 }] }),
    containers: () => records,
    saveSpec: (id, spec) => {
      const r = records.find((x) => x.id === id);
      if (r) r.spec = spec;
      calls.push(`save ${id}`);
    },
    layers: {
      dirsFor: async (lowers, key) => lowers.map((l) => `/remap/${key}/${l}`),
      removeKey: async (key) => void calls.push(`removeKey ${key}`),
      cleanup: async () => {},
    },
    copyShifted: async () => {},
    chownTop: async (p, u, g) => void calls.push(`chown ${p} ${u}:${g}`),
    chownIfFresh: async (p, u, g) => (calls.push(`fresh ${p} ${u}:${g}`), true),
    volumeDir: (n) => `/vol/${n}/_data`,
    usernsDir: '/run/x/userns',
    removeNsFile: async (p) => void calls.push(`rmns ${p}`),
    listNsFiles: async () => ['/run/x/userns/a', '/run/x/userns/b'],
    log: quiet,
    ...over,
  };
  return { u: new UsernsSupport(deps), calls };
}

test('userns support maps remapped containers and leaves --userns=host ones alone', async () => {
  const { u, calls } = setup([], { remap });
  assert.equal(u.idMapFor(rec('a')), remap);
  assert.equal(u.idMapFor(rec('b', { usernsMode: 'host' })), undefined);
  assert.throws(() => u.checkCreate(rec('c', { privileged: true }).spec.host), /privileged mode is incompatible/);
  const dirs = await u.prepareRootfs({ upper: '/c/upper' } as ContainerPaths, ['l1', 'l2'], remap);
  assert.deepEqual(dirs, ['/remap/100000.100000/l1', '/remap/100000.100000/l2']);
  await u.ownVolumes(rec('d', { mounts: [{ type: 'volume', source: 'v', destination: '/v' }, { type: 'bind', source: '/h', destination: '/h' }] as never }), remap);
  assert.deepEqual(calls, ['chown /c/upper 100000:100000', 'fresh /vol/v/_data 100000:100000']);
});

test('userns support gives auto containers distinct persisted blocks and frees them on removal', async () => {
  const records = [rec('a', { usernsMode: 'auto' }), rec('b', { usernsMode: 'auto' })];
  const { u, calls } = setup(records);
  const a = u.idMapFor(records[0] as ContainerRecord);
  const b = u.idMapFor(records[1] as ContainerRecord);
  assert.equal(a?.uidMappings[0]?.hostID, 165536);
  assert.equal(b?.uidMappings[0]?.hostID, 231072);
  assert.deepEqual(u.idMapFor(records[0] as ContainerRecord), a); // kept, not allocated again
  assert.deepEqual(calls, ['save a', 'save b']);
  await u.removed(records[0] as ContainerRecord);
  assert.deepEqual(calls.slice(2), ['removeKey 165536.165536']);
  assert.deepEqual([...u.liveKeys()].sort(), ['165536.165536', '231072.231072']);
});

test('userns support shares a running container\'s user namespace with containers joining it', async () => {
  const other = rec('o', {}, 'running');
  const { u, calls } = setup([other], { remap });
  const lookup = (ref: string) => {
    if (ref === 'o') return other;
    throw new Error('no such container');
  };
  assert.deepEqual(u.namespaceFor(rec('a'), remap, lookup), { path: '/run/x/userns/a', create: true });
  assert.deepEqual(u.namespaceFor(rec('b', { networkMode: 'container:o', pidMode: 'container:o' }), remap, lookup), { path: '/run/x/userns/o', create: false });
  const hostOther = rec('h', { usernsMode: 'host' }, 'running');
  assert.throws(() => u.namespaceFor(rec('c', { ipcMode: 'container:h' }), remap, () => hostOther), /does not run in the same user namespace/);
  await u.released(rec('a'));
  await u.reconcileFiles((id) => id === 'b');
  assert.deepEqual(calls, ['rmns /run/x/userns/a', 'rmns /run/x/userns/a']);
});

test('userns support allocates an auto block for files copied in, never for files read out', () => {
  const records = [rec('a', { usernsMode: 'auto' }), rec('h', { usernsMode: 'host' })];
  const { u, calls } = setup(records, { remap });
  assert.equal(u.filesIdMapFor(records[0] as ContainerRecord, false), undefined, 'a read of a never-started auto container');
  assert.deepEqual(calls, []);
  const written = u.filesIdMapFor(records[0] as ContainerRecord, true);
  assert.equal(written?.uidMappings[0]?.hostID, 165536);
  assert.deepEqual(u.filesIdMapFor(records[0] as ContainerRecord, false), written, 'reads then use the block the write allocated');
  assert.deepEqual(calls, ['save a']);
  assert.equal(u.filesIdMapFor(records[1] as ContainerRecord, true), undefined, '--userns=host files keep host ids');
  assert.equal(u.filesIdMapFor(rec('r'), false), remap);
});
