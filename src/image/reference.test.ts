import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../base/engine-error.js';
import {
  familiarString,
  familiarize,
  isValidTag,
  normalizedString,
  parseNormalizedReference,
  withDefaultTag,
} from './reference.js';

const HEX = 'a'.repeat(64);

test('reference parses a bare official name into docker.io/library', () => {
  assert.deepEqual(parseNormalizedReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
});

test('reference withDefaultTag adds latest only when neither tag nor digest is given', () => {
  assert.equal(withDefaultTag(parseNormalizedReference('busybox')).tag, 'latest');
  assert.equal(withDefaultTag(parseNormalizedReference('busybox:1.36')).tag, '1.36');
  const d = withDefaultTag(parseNormalizedReference(`busybox@sha256:${HEX}`));
  assert.equal(d.tag, undefined);
  assert.equal(d.digest, `sha256:${HEX}`);
});

test('reference keeps a registry with a port and a nested path', () => {
  assert.deepEqual(parseNormalizedReference('localhost:5000/a/b:v1'), {
    domain: 'localhost:5000',
    path: 'a/b',
    tag: 'v1',
  });
});

test('reference treats localhost and dotted first components as domains, others as paths', () => {
  assert.equal(parseNormalizedReference('localhost/x').domain, 'localhost');
  assert.equal(parseNormalizedReference('example.com/x').domain, 'example.com');
  assert.deepEqual(parseNormalizedReference('alice/app:1'), { domain: 'docker.io', path: 'alice/app', tag: '1' });
});

test('reference maps index.docker.io to docker.io', () => {
  const r = parseNormalizedReference('index.docker.io/busybox');
  assert.equal(normalizedString(r), 'docker.io/library/busybox');
});

test('reference parses a digest reference with a user repository', () => {
  const r = parseNormalizedReference(`foo/bar@sha256:${HEX}`);
  assert.deepEqual(r, { domain: 'docker.io', path: 'foo/bar', digest: `sha256:${HEX}` });
  assert.equal(familiarString(r), `foo/bar@sha256:${HEX}`);
});

test('reference parses tag and digest together', () => {
  const r = parseNormalizedReference(`busybox:1@sha256:${HEX}`);
  assert.equal(normalizedString(r), `docker.io/library/busybox:1@sha256:${HEX}`);
});

test('reference rejects uppercase repository names with Docker message', () => {
  assert.throws(
    () => parseNormalizedReference('Busybox'),
    (e: unknown) =>
      isEngineError(e, 'InvalidParameter') &&
      e.message === 'invalid reference format: repository name (library/Busybox) must be lowercase',
  );
});

test('reference rejects malformed references as invalid reference format', () => {
  for (const bad of ['busybox:', ':tag', 'a//b', 'a/b/', '-abc', 'busybox:-x', 'foo@bar', 'a b', 'x:' + 'a'.repeat(129)]) {
    assert.throws(
      () => parseNormalizedReference(bad),
      (e: unknown) => isEngineError(e, 'InvalidParameter') && e.message === 'invalid reference format',
      bad,
    );
  }
});

test('reference rejects a 64-hex name because it would read as an ID', () => {
  assert.throws(() => parseNormalizedReference(HEX), /cannot specify 64-byte hexadecimal strings/);
});

test('reference rejects empty names and bad digests', () => {
  assert.throws(() => parseNormalizedReference(''), /invalid reference format|at least one component/);
  assert.throws(() => parseNormalizedReference(`busybox@sha256:${'a'.repeat(63)}`), isEngineError);
  assert.throws(() => parseNormalizedReference(`busybox@md5:${'a'.repeat(32)}`), /unsupported digest algorithm/);
});

test('reference rejects names longer than 255 characters', () => {
  assert.throws(() => parseNormalizedReference('a'.repeat(256)), /must not be more than 255 characters/);
});

test('reference normalizedString spells out the full name', () => {
  assert.equal(normalizedString(withDefaultTag(parseNormalizedReference('busybox'))), 'docker.io/library/busybox:latest');
  assert.equal(normalizedString(parseNormalizedReference('alice/app:1')), 'docker.io/alice/app:1');
});

test('reference familiarString shortens only docker.io names', () => {
  assert.equal(familiarString(withDefaultTag(parseNormalizedReference('busybox'))), 'busybox:latest');
  assert.equal(familiarString(parseNormalizedReference('docker.io/alice/app:1')), 'alice/app:1');
  assert.equal(familiarString(parseNormalizedReference('localhost:5000/x:1')), 'localhost:5000/x:1');
  assert.equal(familiarString(parseNormalizedReference('docker.io/library/a/b:1')), 'library/a/b:1');
  assert.equal(familiarize('docker.io/library/busybox:latest'), 'busybox:latest');
});

test('reference separators follow the grammar', () => {
  assert.equal(parseNormalizedReference('a__b/c--d.e_f').path, 'a__b/c--d.e_f');
  assert.throws(() => parseNormalizedReference('a___b'), isEngineError);
  assert.throws(() => parseNormalizedReference('a..b'), isEngineError);
});

test('reference accepts IPv6 registries', () => {
  assert.equal(parseNormalizedReference('[::1]:5000/x:1').domain, '[::1]:5000');
});

test('reference isValidTag follows the tag grammar', () => {
  assert.ok(isValidTag('v1.2-rc_3'));
  assert.ok(!isValidTag('.x'));
  assert.ok(!isValidTag(''));
});
