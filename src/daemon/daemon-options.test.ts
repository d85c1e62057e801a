import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupGroup, parseDaemonOptions } from './daemon-options.js';

test('daemon options refuse a TCP host without TLS client verification', () => {
  assert.throws(() => parseDaemonOptions(['-H', 'tcp://0.0.0.0:2375']), /refusing to listen on tcp:\/\/0.0.0.0:2375 without TLS/);
  assert.throws(() => parseDaemonOptions(['-H', 'tcp://127.0.0.1:2376', '--tlsverify']), /without TLS client verification/);
  assert.throws(
    () => parseDaemonOptions(['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert', '/nope/ca', '--tlscert', '/nope/c', '--tlskey', '/nope/k']),
    /could not read TLS file \/nope\/ca/,
  );
  assert.throws(() => parseDaemonOptions(['-H', 'fd://']), /unsupported host fd:\/\//);
});

test('daemon options take a socket group by name or number', () => {
  const o = parseDaemonOptions(['-G', 'root']);
  assert.ok(o !== 'help');
  assert.deepEqual(o.socketGroup, { name: 'root', gid: 0 });
  assert.throws(() => parseDaemonOptions(['-G', 'no-such-group-here']), /group no-such-group-here not found/);
  assert.equal(lookupGroup('1234'), 1234);
});

test('daemon options keep the unix socket', () => {
  const o = parseDaemonOptions(['-H', 'unix:///tmp/x.sock']);
  assert.ok(o !== 'help');
  assert.equal(o.socketPath, '/tmp/x.sock');
  assert.equal(o.usernsRemap, undefined);
  assert.equal(o.tcp, undefined);
});

test('daemon options keep a well-formed userns-remap and refuse a malformed one', () => {
  const o = parseDaemonOptions(['--userns-remap', 'default']);
  assert.ok(o !== 'help');
  assert.equal(o.usernsRemap, 'default');
  const named = parseDaemonOptions(['--userns-remap', 'someone:somegroup']);
  assert.ok(named !== 'help');
  assert.equal(named.usernsRemap, 'someone:somegroup');
  assert.throws(() => parseDaemonOptions(['--userns-remap', 'a:b:c']), /invalid --userns-remap value/);
  assert.throws(() => parseDaemonOptions(['--userns-remap', 'a:']), /invalid --userns-remap value/);
});
