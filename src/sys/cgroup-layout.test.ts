import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupDir, parseCgroupLayout } from './cgroup-layout.js';

const hybrid = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

test('cgroup layout of a hybrid host is v1 with one mount per controller', () => {
  const l = parseCgroupLayout(hybrid);
  assert.equal(l.version, 1);
  assert.equal(cgroupDir(l, 'cpuacct', '/skiff/abc'), '/sys/fs/cgroup/cpuacct/skiff/abc');
  assert.equal(cgroupDir(l, 'memory', '/skiff/abc'), '/sys/fs/cgroup/memory/skiff/abc');
  assert.equal(cgroupDir(l, 'blkio', '/skiff/abc'), undefined);
  assert.equal(cgroupDir(l, 'systemd', '/skiff/abc'), undefined);
});

test('cgroup layout finds co-mounted v1 controllers', () => {
  const l = parseCgroupLayout('31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n');
  assert.equal(cgroupDir(l, 'cpu', '/skiff/x'), '/sys/fs/cgroup/cpu,cpuacct/skiff/x');
  assert.equal(cgroupDir(l, 'cpuacct', 'skiff/x'), '/sys/fs/cgroup/cpu,cpuacct/skiff/x');
});

test('cgroup layout of a unified host is v2 whatever the controller', () => {
  const l = parseCgroupLayout('25 22 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n');
  assert.deepEqual(l, { version: 2, root: '/sys/fs/cgroup' });
  assert.equal(cgroupDir(l, 'memory', '/skiff/x'), '/sys/fs/cgroup/skiff/x');
});
