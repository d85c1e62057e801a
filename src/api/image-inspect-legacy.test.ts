import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withLegacyImageFields } from './image-inspect-legacy.js';

test('withLegacyImageFields adds an empty ContainerConfig and keeps the image config', () => {
  const shape = { Id: 'sha256:x', Config: { Cmd: ['sh'] } };
  const out = withLegacyImageFields(shape);
  assert.equal(out.Container, '');
  assert.deepEqual((out.ContainerConfig as { Volumes: unknown; Cmd: unknown }).Volumes, null);
  assert.deepEqual((out.ContainerConfig as { Volumes: unknown; Cmd: unknown }).Cmd, null);
  assert.deepEqual(out.Config, { Cmd: ['sh'] });
  assert.equal(out.Id, 'sha256:x');
});
