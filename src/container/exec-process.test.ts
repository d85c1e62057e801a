import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildExecProcess, consoleSizeOf, execConfigFromBody } from './exec-process.js';
import type { SpecProcess } from './runtime-spec-types.js';

const base: SpecProcess = {
  terminal: false,
  user: { uid: 0, gid: 0, additionalGids: [10] },
  args: ['sleep', '600'],
  env: ['PATH=/usr/bin:/bin', 'HOSTNAME=abc', 'HOME=/root', 'APP=1'],
  cwd: '/srv',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
  noNewPrivileges: true,
  rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
};

test('execConfigFromBody validates with moby wording and reads every field', () => {
  assert.throws(() => execConfigFromBody({ Cmd: [] }), /No exec command specified/);
  assert.throws(() => execConfigFromBody(undefined), /No exec command specified/);
  assert.throws(() => execConfigFromBody({ Cmd: ['x'], WorkingDir: 'rel' }), /needs to be an absolute path/);
  const c = execConfigFromBody({ Cmd: ['sh'], Tty: true, AttachStdin: true, User: 'nobody', Env: ['A=b'], ConsoleSize: [30, 100], Privileged: true });
  assert.deepEqual([c.cmd, c.tty, c.attachStdin, c.attachStdout, c.user, c.env, c.consoleSize, c.privileged], [
    ['sh'], true, true, false, 'nobody', ['A=b'], { height: 30, width: 100 }, true,
  ]);
  assert.equal(consoleSizeOf([0, 0]), undefined);
});

test('buildExecProcess keeps the container process and applies the exec argv, env, cwd and terminal', () => {
  const exec = execConfigFromBody({ Cmd: ['sh', '-c', 'env'], Env: ['APP=2', 'NEW=x'], Tty: true, ConsoleSize: [24, 80] });
  const p = buildExecProcess({ base, exec, user: undefined, privilegedCaps: ['CAP_ALL'] });
  assert.deepEqual(p.args, ['sh', '-c', 'env']);
  assert.deepEqual(p.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=abc', 'HOME=/root', 'APP=2', 'TERM=xterm', 'NEW=x']);
  assert.equal(p.cwd, '/srv');
  assert.equal(p.terminal, true);
  assert.deepEqual(p.consoleSize, { height: 24, width: 80 });
  assert.deepEqual(p.user, base.user);
  assert.deepEqual(p.capabilities, base.capabilities);
  assert.deepEqual(p.rlimits, base.rlimits);
  assert.equal(p.noNewPrivileges, true);
  // A resize that came before the start wins over the body's size.
  assert.deepEqual(buildExecProcess({ base, exec, user: undefined, privilegedCaps: [], consoleSize: { height: 50, width: 200 } }).consoleSize, {
    height: 50,
    width: 200,
  });
});

test('buildExecProcess switches user and HOME, and gives privileged execs every host capability', () => {
  const exec = execConfigFromBody({ Cmd: ['id'], User: 'nobody', WorkingDir: '/tmp', Privileged: true });
  const p = buildExecProcess({
    base,
    exec,
    user: { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' },
    privilegedCaps: ['CAP_CHOWN', 'CAP_SYS_ADMIN'],
  });
  assert.deepEqual(p.user, { uid: 65534, gid: 65534, additionalGids: [] });
  assert.ok(p.env.includes('HOME=/nonexistent') && !p.env.includes('HOME=/root'));
  assert.equal(p.cwd, '/tmp');
  assert.equal(p.terminal, false);
  assert.equal(p.consoleSize, undefined);
  assert.deepEqual(p.capabilities?.effective, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
  assert.equal(p.noNewPrivileges, false);
});
