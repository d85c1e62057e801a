// A default container cannot get out: each escape Docker's defaults stop is really attempted,
// with the real docker CLI, and must fail; with --privileged the mount works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok } from './cli.js';
import { busyboxTarball, dockerBinary, isRoot } from './fixtures.js';
import { type Daemon, startDaemon } from './harness.js';
import { runCommand } from './run-command.js';

/**
 * A static helper that makes one raw syscall and prints "ok" or the errno name, so a test sees
 * exactly which call the kernel refused (busybox applets hide that behind their own messages).
 */
const PROBE_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
static int report(long r) { if (r < 0) { printf("%s\n", strerrorname_np(errno)); return 1; } printf("ok\n"); return 0; }
int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "mount")) return report(mount("x", "/tmp", "tmpfs", 0, ""));
  if (!strcmp(what, "reboot")) return report(reboot(RB_DISABLE_CAD));
  if (!strcmp(what, "init_module")) return report(syscall(SYS_init_module, "", 0UL, ""));
  if (!strcmp(what, "finit_module")) return report(syscall(SYS_finit_module, 0, "", 0));
  if (!strcmp(what, "sethostname")) return report(sethostname("escaped", 7));
  if (!strcmp(what, "unshare-user")) return report(unshare(CLONE_NEWUSER));
  if (!strcmp(what, "keyctl")) return report(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
  if (!strcmp(what, "mknod-block-open")) {
    if (mknod("/tmp/blk", S_IFBLK | 0600, makedev(8, 0)) < 0 && errno != EEXIST) return report(-1);
    return report(open("/tmp/blk", O_RDONLY));
  }
  if (!strcmp(what, "raise-rlimit")) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_max += 1;
    rl.rlim_cur = rl.rlim_max;
    return report(setrlimit(RLIMIT_NOFILE, &rl));
  }
  if (!strcmp(what, "ptrace") && argc > 2) {
    pid_t pid = atoi(argv[2]);
    long r = ptrace(PTRACE_SEIZE, pid, 0, 0);
    if (r == 0) ptrace(PTRACE_DETACH, pid, 0, 0);
    return report(r);
  }
  printf("unknown probe %s\n", what);
  return 2;
}
`;

const skip = !isRoot()
  ? 'e2e tests need root'
  : dockerBinary() === undefined
    ? 'the docker CLI is not installed'
    : spawnSync('gcc', ['--version']).status !== 0
      ? 'gcc is needed to build the syscall probe'
      : false;

describe('isolation: a default container cannot get out', { skip, timeout: 300_000 }, () => {
  let d: Daemon;
  let tmp = '';
  let probe = '';

  before(async () => {
    tmp = mkdtempSync('/tmp/skiff-iso-');
    writeFileSync(join(tmp, 'probe.c'), PROBE_C);
    probe = join(tmp, 'probe');
    const cc = await runCommand('gcc', ['-static', '-O1', '-o', probe, join(tmp, 'probe.c')]);
    assert.equal(cc.code, 0, `gcc failed: ${cc.stderr}`);
    d = await startDaemon();
    ok(await d.docker(['import', await busyboxTarball(), 'busybox']), 'import');
  });
  after(async () => {
    await d?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs the probe in a fresh container; returns what it printed (the errno name or "ok"). */
  const attempt = async (call: string, flags: string[] = [], extra: string[] = []): Promise<string> => {
    const r = await d.docker(['run', '--rm', '-v', `${probe}:/probe:ro`, ...flags, 'busybox', '/probe', call, ...extra]);
    return r.stdout.trim() || `exit ${r.code}: ${r.stderr.trim()}`;
  };

  it('mount -t tmpfs is refused, and works with --privileged', async () => {
    const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'mkdir -p /mnt && mount -t tmpfs x /mnt']);
    assert.notEqual(r.code, 0, 'mount succeeded in a default container');
    assert.match(r.stderr + r.stdout, /permission denied|not permitted/i);
    assert.equal(await attempt('mount'), 'EPERM');
    const p = await d.docker(['run', '--rm', '--privileged', 'busybox', 'sh', '-c', 'mkdir -p /mnt && mount -t tmpfs x /mnt && grep " /mnt " /proc/mounts']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^x \/mnt tmpfs/);
  });

  it('reboot, module loading and the kernel keyring are refused', async () => {
    assert.equal(await attempt('reboot'), 'EPERM');
    assert.equal(await attempt('init_module'), 'EPERM');
    assert.equal(await attempt('finit_module'), 'EPERM');
    assert.equal(await attempt('keyctl'), 'EPERM');
    const insmod = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo > /x.ko; insmod /x.ko']);
    assert.notEqual(insmod.code, 0);
  });

  it('a new user namespace cannot be made to regain capabilities', async () => {
    assert.equal(await attempt('unshare-user'), 'EPERM');
    const r = await d.docker(['run', '--rm', 'busybox', 'unshare', '-r', '-m', 'sh', '-c', 'mount -t tmpfs x /tmp']);
    assert.notEqual(r.code, 0, 'unshare -r gave the container a mount-capable namespace');
  });

  it('/proc/sysrq-trigger cannot be written and masked /proc files read empty', async () => {
    const w = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo h > /proc/sysrq-trigger']);
    assert.notEqual(w.code, 0);
    // Kernels built without CONFIG_MAGIC_SYSRQ have no such file; where it exists it is read-only.
    if (existsSync('/proc/sysrq-trigger')) assert.match(w.stderr, /Read-only file system/);
    // The same protection for the kernel's knobs: core_pattern would run a host program as root.
    const core = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern']);
    assert.notEqual(core.code, 0);
    assert.match(core.stderr, /Read-only file system/);
    // Some kernels build without /proc/kcore; the masked paths that exist read as /dev/null.
    const r = ok(
      await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c < $f)"; done; true']),
      'read masked',
    );
    const sizes = r.trim().split('\n').filter(Boolean);
    assert.ok(sizes.length >= 2, `expected masked files to exist: ${r}`);
    for (const line of sizes) assert.match(line, / 0$/, `masked file has content: ${line}`);
    const hostKeys = readFileSync('/proc/keys', 'utf8');
    assert.ok(hostKeys.length > 0, 'the host has keys: masking is what hides them');
  });

  it('a block device node can be made but not opened', async () => {
    assert.equal(await attempt('mknod-block-open'), 'EPERM');
  });

  it("the host's hostname cannot be changed", async () => {
    const before = readFileSync('/proc/sys/kernel/hostname', 'utf8');
    assert.equal(await attempt('sethostname'), 'EPERM');
    assert.equal(await attempt('sethostname', ['--uts', 'host']), 'EPERM');
    assert.equal(readFileSync('/proc/sys/kernel/hostname', 'utf8'), before);
  });

  it('rlimits cannot be raised above the hard limit', async () => {
    assert.equal(await attempt('raise-rlimit'), 'EPERM');
    const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ulimit -H -n $(( $(ulimit -H -n) + 1 ))']);
    assert.notEqual(r.code, 0);
  });

  it('the monitor cannot be ptraced, even from the host pid namespace', async () => {
    const id = ok(await d.docker(['run', '-d', 'busybox', 'sleep', '60']), 'run -d').trim();
    const pid = Number(ok(await d.docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect').trim());
    const monitor = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.ok(monitor > 1, 'found the monitor');
    // In its own pid namespace the monitor does not exist for the container.
    assert.equal(await attempt('ptrace', [], [String(monitor)]), 'ESRCH');
    // Sharing the host's pid namespace, it is visible but not traceable.
    assert.equal(await attempt('ptrace', ['--pid', 'host'], [String(monitor)]), 'EPERM');
    assert.equal(readFileSync(`/proc/${monitor}/status`, 'utf8').match(/^State:\s*(\S)/m)?.[1] !== 't', true, 'monitor is not stopped');
    ok(await d.docker(['rm', '-f', id]), 'rm');
  });

  it('seccomp is on by default and off with seccomp=unconfined or --privileged', async () => {
    const mode = async (flags: string[]) =>
      ok(await d.docker(['run', '--rm', ...flags, 'busybox', 'grep', '^Seccomp:', '/proc/self/status']), 'grep').trim();
    assert.match(await mode([]), /Seccomp:\s+2/);
    assert.match(await mode(['--security-opt', 'seccomp=unconfined']), /Seccomp:\s+0/);
    assert.match(await mode(['--privileged']), /Seccomp:\s+0/);
  });

  it('a custom seccomp profile from a file is applied', async () => {
    const file = join(tmp, 'nomkdir.json');
    writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    const r = await d.docker(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Operation not permitted/);
  });

  it('no-new-privileges sets the flag', async () => {
    const r = ok(await d.docker(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']), 'run');
    assert.match(r, /NoNewPrivs:\s+1/);
  });

  it('non-namespaced sysctls and bad security options are refused', async () => {
    const r = await d.api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Sysctls: { 'kernel.panic': '1' } } }));
    assert.equal(r.status, 400);
    assert.match(r.body, /sysctl 'kernel.panic' is not allowed/);
    const s = await d.api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { SecurityOpt: ['bogus'] } }));
    assert.equal(s.status, 400);
    assert.match(s.body, /invalid --security-opt 1/);
    ok(await d.docker(['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', 'busybox', 'true']), 'namespaced sysctl');
  });

  it('--privileged sees the host devices, a default container only the standard ones', async () => {
    const plain = ok(await d.docker(['run', '--rm', 'busybox', 'ls', '/dev']), 'ls').split(/\s+/).filter(Boolean);
    for (const name of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) assert.ok(plain.includes(name), name);
    assert.ok(!plain.some((n) => /^(sd|vd|nvme|loop)/.test(n)), `unexpected host devices: ${plain.join(' ')}`);
    const priv = ok(await d.docker(['run', '--rm', '--privileged', 'busybox', 'ls', '/dev']), 'ls').split(/\s+/).filter(Boolean);
    assert.ok(priv.length > plain.length + 5, `privileged /dev: ${priv.join(' ')}`);
    const dev = ok(await d.docker(['run', '--rm', '--device', '/dev/null:/dev/mynull', 'busybox', 'sh', '-c', 'echo hi > /dev/mynull && ls -l /dev/mynull']), 'device');
    assert.match(dev, /^c.* 1,\s+3 .*\/dev\/mynull/);
  });

  it('inspect echoes the security options and limits', async () => {
    const id = ok(await d.docker(['create', '--security-opt', 'no-new-privileges', '--memory', '32m', '--cpus', '0.5', '--group-add', '10', 'busybox', 'true']), 'create').trim();
    const hc = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .HostConfig}}', id]), 'inspect')) as Record<string, unknown>;
    assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
    assert.equal(hc.Memory, 32 * 1024 * 1024);
    assert.equal(hc.MemorySwap, 64 * 1024 * 1024);
    assert.equal(hc.NanoCpus, 5e8);
    assert.deepEqual(hc.GroupAdd, ['10']);
    assert.ok(Array.isArray(hc.MaskedPaths) && (hc.MaskedPaths as string[]).includes('/proc/kcore'));
    ok(await d.docker(['rm', id]), 'rm');
  });
});
