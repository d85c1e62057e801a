import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageRecord } from '../image/image-config.js';
import { specFromCreate } from './create-request.js';

const image: ImageRecord = {
  id: `sha256:${'a'.repeat(64)}`,
  config: {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin', 'A=image'], Cmd: ['sh'], WorkingDir: '/srv', Labels: { from: 'image' } },
    rootfs: { type: 'layers', diff_ids: [] },
  },
  repoTags: [],
  repoDigests: [],
  parentId: '',
  size: 0,
  createdAt: 0,
};

test('specFromCreate merges env, labels and command with the image as docker does', () => {
  const spec = specFromCreate(
    { Image: 'busybox', Cmd: ['echo', 'hi'], Env: ['A=create', 'B=2'], Labels: { mine: '1' }, HostConfig: { NetworkMode: 'default', AutoRemove: true } },
    image,
  );
  assert.deepEqual(spec.env, ['PATH=/bin', 'A=create', 'B=2']);
  assert.equal(spec.path, 'echo');
  assert.deepEqual(spec.args, ['hi']);
  assert.equal(spec.workingDir, '/srv');
  assert.deepEqual(spec.labels, { from: 'image', mine: '1' });
  assert.equal(spec.host.networkMode, 'bridge');
  assert.equal(spec.host.autoRemove, true);
});

test('specFromCreate refuses set fields the engine cannot honour instead of ignoring them', () => {
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { VolumeDriver: 'convoy' } }, image), {
    kind: 'InvalidParameter',
  });
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { CgroupParent: 'mine' } }, image), /HostConfig.CgroupParent/);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, image), /restart policy/);
  // Zero values are what the CLI always sends: they pass.
  assert.doesNotThrow(() =>
    specFromCreate({ Image: 'x', HostConfig: { Devices: [], BlkioWeight: 0, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, MemorySwappiness: -1 } }, image),
  );
});

test('specFromCreate parses bind mounts and refuses malformed ones', () => {
  const spec = specFromCreate({ Image: 'x', HostConfig: { Binds: ['/home:/test:ro'] } }, image);
  assert.deepEqual(spec.host.binds, [{ source: '/home', destination: '/test', readOnly: true, propagation: 'rprivate' }]);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { Binds: ['home'] } }, image), /invalid volume specification/);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { Binds: ['/a:/b:bogus'] } }, image), /invalid mode: bogus/);
});

test('specFromCreate turns -v, --mount, --tmpfs and image VOLUMEs into mounts', () => {
  const withVolume = { ...image, config: { ...image.config, config: { ...image.config.config, Volumes: { '/var/lib/db': {} } } } };
  const spec = specFromCreate(
    { Image: 'x', Volumes: { '/scratch': {} }, HostConfig: { Binds: ['named:/n'], Mounts: [{ Type: 'tmpfs', Target: '/t' }], Tmpfs: { '/run': 'size=1m' } } },
    withVolume,
  );
  assert.deepEqual(spec.host.mounts?.map((m) => [m.destination, m.type, m.anonymous === true]), [
    ['/n', 'volume', false],
    ['/t', 'tmpfs', false],
    ['/run', 'tmpfs', false],
    ['/scratch', 'volume', true],
    ['/var/lib/db', 'volume', true],
  ]);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { Mounts: [{ Type: 'bind', Source: '/no/such/dir', Target: '/x' }] } }, image), /bind source path does not exist: \/no\/such\/dir/);
});

test('specFromCreate reads restart policies and --init, and refuses a restart policy with AutoRemove', () => {
  const spec = specFromCreate({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 }, Init: true } }, image);
  assert.deepEqual(spec.host.restartPolicy, { name: 'on-failure', maximumRetryCount: 2 });
  assert.equal(spec.host.init, true);
  assert.throws(
    () => specFromCreate({ Image: 'x', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, image),
    /can't create 'AutoRemove' container with restart policy/,
  );
});

test('specFromCreate reads published ports, -P and the networks to join', () => {
  const spec = specFromCreate(
    {
      Image: 'x',
      HostConfig: { NetworkMode: 'appnet', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '4000' }] }, PublishAllPorts: true },
      NetworkingConfig: { EndpointsConfig: { appnet: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.5.0.9' } } } },
    },
    image,
  );
  assert.equal(spec.host.networkMode, 'appnet');
  assert.deepEqual(spec.host.portBindings, [{ containerPort: 80, proto: 'tcp', hostIp: '', hostPortStart: 4000, hostPortEnd: 4000 }]);
  assert.equal(spec.host.publishAllPorts, true);
  assert.deepEqual(spec.host.endpoints, [{ network: 'appnet', aliases: ['web'], ipv4Address: '10.5.0.9' }]);
  const dflt = specFromCreate({ Image: 'x', HostConfig: { NetworkMode: 'default' }, NetworkingConfig: { EndpointsConfig: { default: {} } } }, image);
  assert.equal(dflt.host.networkMode, 'bridge');
  assert.deepEqual(dflt.host.endpoints, [{ network: 'bridge', aliases: [], ipv4Address: '' }]);
});

test('specFromCreate reads HostConfig.Links as compose run sends them, and refuses them with host networking', () => {
  const spec = specFromCreate({ Image: 'x', HostConfig: { NetworkMode: 'p_default', Links: ['p_client_1:client', 'p_client_1:client_1', 'db'] } }, image);
  assert.deepEqual(spec.host.links, [
    { name: 'p_client_1', alias: 'client' },
    { name: 'p_client_1', alias: 'client_1' },
    { name: 'db', alias: 'db' },
  ]);
  assert.equal(specFromCreate({ Image: 'x' }, image).host.links, undefined);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { NetworkMode: 'host', Links: ['db:db'] } }, image), /host type networking can't be used with links/);
  assert.throws(() => specFromCreate({ Image: 'x', HostConfig: { Links: [':alias'] } }, image), { kind: 'InvalidParameter' });
});
