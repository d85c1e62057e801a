import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gateLikeDocker } from './seccomp-admin-gate.js';
import { convertSeccompProfile, parseSeccompProfile, type DockerSeccompProfile } from './seccomp-profile.js';
import { createSeccompResolver } from './seccomp-resolver.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';

const target = { capabilities: ['CAP_CHOWN'], arch: 'amd64', kernelRelease: '6.1.0-18-amd64' };
const allowed = (spec: ReturnType<typeof convertSeccompProfile>, name: string) =>
  spec.syscalls?.filter((s) => s.names.includes(name) && s.action === 'SCMP_ACT_ALLOW') ?? [];

const sample: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', comment: 'always' },
    { name: 'arch_prctl', action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['chown'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_CHOWN'] } },
    { names: ['chown'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_CHOWN'] } },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    { names: ['newer'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.10' } },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
  ],
};

test('seccomp conversion keeps the host architecture and its compat ABIs only', () => {
  const spec = convertSeccompProfile(sample, target);
  assert.deepEqual(spec.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(spec.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(spec.defaultErrnoRet, 1);
});

test('seccomp conversion resolves arch, capability and kernel conditions', () => {
  const spec = convertSeccompProfile(sample, target);
  assert.equal(allowed(spec, 'arch_prctl').length, 1);
  assert.equal(allowed(spec, 'arm_fadvise64_64').length, 0);
  assert.equal(allowed(spec, 'chroot').length, 0, 'CAP_SYS_CHROOT is not held');
  assert.equal(allowed(spec, 'chown').length, 1);
  assert.equal(spec.syscalls?.some((s) => s.names.includes('chown') && s.action === 'SCMP_ACT_ERRNO'), false);
  assert.equal(allowed(spec, 'ptrace').length, 1);
  assert.equal(allowed(spec, 'newer').length, 0, 'kernel 6.1 < 6.10');
  const withChroot = convertSeccompProfile(sample, { ...target, capabilities: ['CAP_SYS_CHROOT'] });
  assert.equal(allowed(withChroot, 'chroot').length, 1);
  assert.equal(withChroot.syscalls?.some((s) => s.names.includes('chown') && s.action === 'SCMP_ACT_ERRNO' && s.errnoRet === 1), true);
});

test('seccomp conversion writes args in the OCI shape with valueTwo filled in', () => {
  const spec = convertSeccompProfile(sample, target);
  assert.deepEqual(spec.syscalls?.find((s) => s.names.includes('personality'))?.args, [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }]);
  assert.equal(spec.syscalls?.[0]?.args, undefined);
});

test('seccomp profile parsing refuses both architectures and archMap, with Docker wording', () => {
  assert.throws(
    () => parseSeccompProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] })),
    /use either 'architectures' or 'archMap'/,
  );
  assert.throws(() => parseSeccompProfile('{nope'), /Decoding seccomp profile failed/);
});

test('the Docker gate moves namespace syscalls behind CAP_SYS_ADMIN and blocks the keyring', () => {
  const podmanLike: DockerSeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['read', 'mount', 'unshare', 'clone', 'clone3', 'keyctl', 'reboot'], action: 'SCMP_ACT_ALLOW' }],
  };
  const gated = gateLikeDocker(podmanLike);
  const plain = convertSeccompProfile(gated, { ...target, capabilities: [...DEFAULT_CAPABILITIES] });
  for (const n of ['mount', 'unshare', 'keyctl', 'reboot', 'clone3']) assert.equal(allowed(plain, n).length, 0, n);
  assert.equal(allowed(plain, 'read').length, 1);
  const clone = allowed(plain, 'clone');
  assert.equal(clone.length, 1);
  assert.deepEqual(clone[0]?.args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.equal(plain.syscalls?.find((s) => s.names.includes('clone3'))?.errnoRet, 38);

  const admin = convertSeccompProfile(gated, { ...target, capabilities: ['CAP_SYS_ADMIN'] });
  assert.equal(allowed(admin, 'mount').length, 1);
  assert.equal(allowed(admin, 'reboot').length, 0, 'reboot needs CAP_SYS_BOOT');
  assert.equal(allowed(admin, 'keyctl').length, 0);
});

test('the seccomp resolver caches per capability set and skips privileged and unconfined', () => {
  let reads = 0;
  const resolve = createSeccompResolver({
    readDefault: () => {
      reads++;
      return JSON.stringify(sample);
    },
    nodeArch: 'x64',
    kernelRelease: '6.1.0',
  });
  const a = resolve({ kind: 'default' }, ['CAP_CHOWN', 'CAP_KILL'], false);
  const b = resolve({ kind: 'default' }, ['CAP_KILL', 'CAP_CHOWN'], false);
  assert.ok(a);
  assert.equal(a, b);
  assert.equal(reads, 1);
  assert.equal(resolve({ kind: 'default' }, ['CAP_CHOWN'], true), undefined);
  assert.equal(resolve({ kind: 'unconfined' }, ['CAP_CHOWN'], false), undefined);
  const custom = resolve({ kind: 'custom', json: '{"defaultAction":"SCMP_ACT_LOG"}' }, [], false);
  assert.equal(custom?.defaultAction, 'SCMP_ACT_LOG');
});

const shipped = '/usr/share/containers/seccomp.json';
test('the shipped containers-common profile converts for Docker default caps', { skip: existsSync(shipped) ? false : 'containers-common not installed' }, () => {
  const profile = gateLikeDocker(parseSeccompProfile(readFileSync(shipped, 'utf8')));
  const spec = convertSeccompProfile(profile, { capabilities: [...DEFAULT_CAPABILITIES], arch: 'amd64', kernelRelease: '6.1.0' });
  assert.ok(allowed(spec, 'read').length > 0);
  assert.equal(allowed(spec, 'mount').length, 0);
  assert.equal(allowed(spec, 'init_module').length, 0);
  assert.deepEqual(spec.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
});

test('the default filter leaves out the x32 ABI, a custom profile keeps what it says', () => {
  const resolve = createSeccompResolver({ readDefault: () => JSON.stringify(sample), nodeArch: 'x64', kernelRelease: '6.1.0' });
  assert.deepEqual(resolve({ kind: 'default' }, [], false)?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  assert.deepEqual(resolve({ kind: 'custom', json: JSON.stringify(sample) }, [], false)?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
});
