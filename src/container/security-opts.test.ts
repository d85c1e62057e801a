import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityOpts } from './security-opts.js';
import { validateSysctls } from './security-opts-sysctls.js';

test('security opts read seccomp, no-new-privileges and apparmor as dockerd does', () => {
  assert.deepEqual(parseSecurityOpts([]), { seccomp: { kind: 'default' }, noNewPrivileges: false });
  const o = parseSecurityOpts(['seccomp=unconfined', 'no-new-privileges', 'apparmor=unconfined', 'label=disable']);
  assert.deepEqual(o, { seccomp: { kind: 'unconfined' }, noNewPrivileges: true, apparmor: 'unconfined' });
  assert.equal(parseSecurityOpts(['no-new-privileges=false']).noNewPrivileges, false);
  assert.equal(parseSecurityOpts(['seccomp:unconfined']).seccomp.kind, 'unconfined');
  const json = '{"defaultAction":"SCMP_ACT_ALLOW"}';
  assert.deepEqual(parseSecurityOpts([`seccomp=${json}`]).seccomp, { kind: 'custom', json });
});

test('security opts refuse unknown options and bad profiles with Docker wording', () => {
  assert.throws(() => parseSecurityOpts(['bogus']), /invalid --security-opt 1: "bogus"/);
  assert.throws(() => parseSecurityOpts(['foo=bar']), /invalid --security-opt 2: "foo=bar"/);
  assert.throws(() => parseSecurityOpts(['no-new-privileges=maybe']), /invalid --security-opt 2/);
  assert.throws(() => parseSecurityOpts(['seccomp=/etc/profile.json']), /Decoding seccomp profile failed/);
});

test('sysctls accept namespaced keys only, and not in a shared namespace', () => {
  const own = { networkMode: 'bridge', ipcMode: '', utsMode: '' };
  validateSysctls({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '20' }, own);
  assert.throws(() => validateSysctls({ 'kernel.panic': '1' }, own), /sysctl 'kernel.panic' is not allowed/);
  assert.throws(() => validateSysctls({ 'vm.swappiness': '1' }, own), /not allowed/);
  assert.throws(() => validateSysctls({ 'net.ipv4.ip_forward': '1' }, { ...own, networkMode: 'host' }), /host network namespace/);
  assert.throws(() => validateSysctls({ 'kernel.sem': '1' }, { ...own, ipcMode: 'host' }), /host IPC namespace/);
});
