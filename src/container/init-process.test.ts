import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInitBinary, initProcess } from './init-process.js';

test('initProcess puts docker-init in front of the command and mounts it read-only', () => {
  const init = initProcess(['ps', 'aux'], '/usr/bin/tini-static');
  assert.deepEqual(init.args, ['/sbin/docker-init', '--', 'ps', 'aux']);
  assert.deepEqual(init.mount, { destination: '/sbin/docker-init', source: '/usr/bin/tini-static', type: 'bind', options: ['bind', 'ro'] });
});

test('findInitBinary picks the first existing candidate and explains a missing tini', () => {
  assert.equal(findInitBinary(['/nonexistent/tini', '/bin/sh']), '/bin/sh');
  assert.throws(() => findInitBinary(['/nonexistent/tini']), /apt-get install tini/);
});
