import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LinkTarget, linkHostEntries, parseLinks } from './container-links.js';

test('parseLinks reads name:alias, a bare name and the form inspect shows', () => {
  assert.deepEqual(parseLinks(['web:site', 'db', '/cache:/me/c']), [
    { name: 'web', alias: 'site' },
    { name: 'db', alias: 'db' },
    { name: 'cache', alias: 'c' },
  ]);
  assert.deepEqual(parseLinks(null), []);
});

test('parseLinks refuses entries without a name or alias, and non-string lists', () => {
  assert.throws(() => parseLinks([':x']), /invalid link format/);
  assert.throws(() => parseLinks(['x:']), /invalid link format/);
  assert.throws(() => parseLinks('web:site'), /must be a list of strings/);
});

test('linkHostEntries prefers the target address on a network the container shares', () => {
  const targets: Record<string, LinkTarget> = {
    p_web_1: {
      name: 'p_web_1',
      running: true,
      addresses: [
        { network: 'bridge', ip: '10.1.0.2' },
        { network: 'p_default', ip: '10.9.0.5' },
      ],
    },
  };
  const entries = linkHostEntries('p_run_1', ['p_default'], [{ name: 'p_web_1', alias: 'web' }, { name: 'p_web_1', alias: 'p_web_1' }], (n) => {
    const t = targets[n];
    assert.ok(t, `asked for ${n}`);
    return t;
  });
  assert.deepEqual(entries, ['web:10.9.0.5', 'p_web_1:10.9.0.5']);
});

test('linkHostEntries refuses a stopped target with docker wording and skips one without an address', () => {
  const stopped: LinkTarget = { name: 'db', running: false, addresses: [] };
  assert.throws(() => linkHostEntries('app', [], [{ name: 'db', alias: 'database' }], () => stopped), {
    kind: 'InvalidParameter',
    message: 'Cannot link to a non running container: /db AS /app/database',
  });
  const hostNet: LinkTarget = { name: 'h', running: true, addresses: [] };
  assert.deepEqual(linkHostEntries('app', [], [{ name: 'h', alias: 'h' }], () => hostNet), []);
});
