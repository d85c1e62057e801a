/**
 * Runs specs from buildRuntimeSpec through the real runc, to prove runc accepts what we write
 * and that the container sees Docker's defaults. Needs root and runc; skipped otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capsFromMask, capsToMask, DEFAULT_CAPABILITIES, privilegedCapabilities } from './capabilities.js';
import { renderHostname, renderHosts, renderResolvConf } from './etc-files.js';
import { buildRuntimeSpec, type RuntimeSpecInput } from './runtime-spec.js';

const BUSYBOX = '/usr/bin/busybox';
const runcMissing = spawnSync('runc', ['--version']).status !== 0;
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : runcMissing
      ? 'runc not installed'
      : !existsSync(BUSYBOX)
        ? 'busybox-static not installed'
        : false;

const APPLETS = ['sh', 'echo', 'hostname', 'cat', 'grep', 'wc', 'test', 'ls', 'head'];
// Some kernels (this project's CI VMs among them) build without /proc/kcore; runc skips masking absent paths.
const MASKED_FILES = ['/proc/kcore', '/proc/keys', '/proc/interrupts', '/proc/timer_list'];

/** Builds a busybox bundle in a temp dir, runs it with `runc run` in the foreground, cleans up. */
function runInRunc(script: string, over: Partial<RuntimeSpecInput> = {}): string {
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-spec-'));
  const id = `skiff-spec-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const runcRoot = join(tmp, 'runc');
  const bundle = join(tmp, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  try {
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
    const etc = join(tmp, 'etc');
    mkdirSync(etc);
    writeFileSync(join(etc, 'hostname'), renderHostname('spec-box'));
    writeFileSync(join(etc, 'hosts'), renderHosts({ hostname: 'spec-box' }));
    writeFileSync(join(etc, 'resolv.conf'), renderResolvConf('nameserver 10.0.0.1\n').content);

    const spec = buildRuntimeSpec({
      id,
      hostname: 'spec-box',
      rootfsPath: rootfs,
      args: ['/bin/sh', '-c', script],
      env: ['PATH=/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      tty: false,
      capabilities: [...DEFAULT_CAPABILITIES],
      etcFiles: {
        hostsPath: join(etc, 'hosts'),
        hostnamePath: join(etc, 'hostname'),
        resolvConfPath: join(etc, 'resolv.conf'),
      },
      namespaces: { network: { kind: 'new' }, pid: { kind: 'new' }, ipc: { kind: 'new' }, uts: { kind: 'new' }, cgroupns: 'host' },
      cgroupsPath: `/${id}`,
      ...over,
    });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));

    const run = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', bundle, id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    assert.equal(run.status, 0, `runc failed (${String(run.status)}): ${run.stderr}${run.stdout}`);
    return run.stdout;
  } finally {
    spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id], { stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('buildRuntimeSpec output runs under runc with Docker defaults', { skip, timeout: 60_000 }, () => {
  const script = [
    'echo hello-from-spec',
    'echo "hostname=$(hostname)"',
    'echo "etc-hostname=$(cat /etc/hostname)"',
    'grep CapBnd /proc/self/status',
    // Masked files read as empty (a /dev/null bind), masked directories list as empty.
    ...MASKED_FILES.map((f) => `if test -e ${f}; then echo "${f}=$(wc -c < ${f})"; else echo "${f}=absent"; fi`),
    'echo "sys-firmware-entries=$(ls -A /sys/firmware | wc -l)"',
    'echo "nofile=$(ulimit -n)"',
    'test -c /dev/null && echo dev-null-is-char-device',
    'grep -q " /proc/sys ro," /proc/self/mountinfo && echo proc-sys-ro',
    'grep localhost /etc/hosts | head -n 1',
    'grep -c "^nameserver 10.0.0.1$" /etc/resolv.conf',
    'grep ^Uid: /proc/self/status',
  ].join('; ');
  const out = runInRunc(script, { ulimits: [{ name: 'nofile', soft: 1000, hard: 1000 }] });
  assert.deepEqual(out.trim().split('\n'), [
    'hello-from-spec',
    'hostname=spec-box',
    'etc-hostname=spec-box',
    `CapBnd:\t${capsToMask(DEFAULT_CAPABILITIES)}`,
    ...MASKED_FILES.map((f) => `${f}=${existsSync(f) ? '0' : 'absent'}`),
    'sys-firmware-entries=0',
    'nofile=1000',
    'dev-null-is-char-device',
    'proc-sys-ro',
    '127.0.0.1\tlocalhost',
    '1',
    'Uid:\t0\t0\t0\t0',
  ]);
});

test('buildRuntimeSpec non-root user gets its groups and no effective capabilities under runc', { skip, timeout: 60_000 }, () => {
  const out = runInRunc('grep -E "^(Uid|Gid|Groups|CapEff|CapBnd):" /proc/self/status', {
    user: { uid: 1000, gid: 1000, additionalGids: [10, 50] },
  });
  assert.deepEqual(out.trim().split('\n'), [
    'Uid:\t1000\t1000\t1000\t1000',
    'Gid:\t1000\t1000\t1000\t1000',
    'Groups:\t10 50 ',
    'CapEff:\t0000000000000000',
    `CapBnd:\t${capsToMask(DEFAULT_CAPABILITIES)}`,
  ]);
});

test('buildRuntimeSpec privileged spec with the host bounding set runs under runc', { skip, timeout: 60_000 }, () => {
  const hostBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  const out = runInRunc(
    'grep CapBnd /proc/self/status; grep -q " /sys rw," /proc/self/mountinfo && echo sys-rw; grep -c " /proc/sys ro," /proc/self/mountinfo; true',
    { privileged: true, capabilities: privilegedCapabilities(capsFromMask(hostBnd)) },
  );
  assert.deepEqual(out.trim().split('\n'), [`CapBnd:\t${hostBnd}`, 'sys-rw', '0']);
});
