import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import type { ContainerConfigFields } from '../image/image-config.js';
import { resolveCommand, type CreateCommand } from './command-line.js';

const image = { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx', '-g', 'daemon off;'] };

test('resolveCommand uses image entrypoint and cmd when create gives neither', () => {
  const r = resolveCommand(image, {});
  assert.equal(r.path, '/docker-entrypoint.sh');
  assert.deepEqual(r.args, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(r.entrypoint, ['/docker-entrypoint.sh']);
  assert.deepEqual(r.cmd, ['nginx', '-g', 'daemon off;']);
});

test('resolveCommand create Cmd replaces image Cmd but keeps image Entrypoint', () => {
  const r = resolveCommand(image, { Cmd: ['sh'] });
  assert.equal(r.path, '/docker-entrypoint.sh');
  assert.deepEqual(r.args, ['sh']);
});

test('resolveCommand create Entrypoint drops the image Cmd', () => {
  const r = resolveCommand(image, { Entrypoint: ['/bin/echo'] });
  assert.equal(r.path, '/bin/echo');
  assert.deepEqual(r.args, []);
  assert.equal(r.cmd, null);
});

test('resolveCommand create Entrypoint and Cmd both apply', () => {
  const r = resolveCommand(image, { Entrypoint: ['/bin/echo', '-n'], Cmd: ['hi'] });
  assert.deepEqual([r.path, ...r.args], ['/bin/echo', '-n', 'hi']);
});

test('resolveCommand empty-string entrypoint means none, and image Cmd is not inherited', () => {
  const r = resolveCommand(image, { Entrypoint: [''], Cmd: ['ls', '-l'] });
  assert.deepEqual([r.path, ...r.args], ['ls', '-l']);
  assert.equal(r.entrypoint, null);
  assert.throws(
    () => resolveCommand(image, { Entrypoint: [''] }),
    (err: unknown) => isEngineError(err, 'InvalidParameter') && err.message === 'No command specified',
  );
});

test('resolveCommand empty array entrypoint drops the image entrypoint but keeps image Cmd', () => {
  const r = resolveCommand(image, { Entrypoint: [] });
  assert.deepEqual([r.path, ...r.args], ['nginx', '-g', 'daemon off;']);
  assert.equal(r.entrypoint, null);
});

test('resolveCommand null entrypoint inherits the image one', () => {
  const r = resolveCommand(image, { Entrypoint: null, Cmd: null });
  assert.equal(r.path, '/docker-entrypoint.sh');
});

test('resolveCommand empty Cmd array inherits the image Cmd', () => {
  const r = resolveCommand({ Cmd: ['/bin/sh'] }, { Cmd: [] });
  assert.deepEqual([r.path, ...r.args], ['/bin/sh']);
});

test('resolveCommand works without an image config', () => {
  const r = resolveCommand(undefined, { Cmd: ['/bin/sh', '-c', 'echo hi'] });
  assert.deepEqual([r.path, ...r.args], ['/bin/sh', '-c', 'echo hi']);
});

test('resolveCommand fails with Docker wording when nothing is left', () => {
  const cases: Array<[ContainerConfigFields | undefined, CreateCommand]> = [
    [undefined, {}],
    [{}, {}],
    [{ Entrypoint: null, Cmd: null }, { Cmd: [] }],
  ];
  for (const [img, create] of cases) {
    assert.throws(() => resolveCommand(img, create), /^EngineError: No command specified$/);
  }
});

test('resolveCommand image entrypoint alone runs without arguments', () => {
  const r = resolveCommand({ Entrypoint: ['/app'] }, {});
  assert.deepEqual([r.path, ...r.args], ['/app']);
  assert.equal(r.cmd, null);
});

test('resolveCommand does not alias the input arrays', () => {
  const create = { Cmd: ['a', 'b'] };
  const r = resolveCommand(undefined, create);
  r.args.push('c');
  r.cmd?.push('d');
  assert.deepEqual(create.Cmd, ['a', 'b']);
});
