/**
 * Integration tests for skiff-monitor and its driver: real runc, real overlayfs, root only.
 * Each container gets its own bundle and state dir under one temp dir that is removed at the end,
 * together with any runtime state, mount or monitor process a failed test may have left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineError, isEngineError } from '../base/engine-error.js';
import { createMonitorDriver, defaultMonitorPath, type MonitorExecOptions, type MonitorStartOptions, type MonitorStarted } from './monitor.js';
import { busyboxBinary, makeBusyboxRootfs, runcBinary, runcSpecTemplate, writeBundle } from './monitor-test-bundle.js';

const canRun = process.getuid?.() === 0 && existsSync(runcBinary) && existsSync(busyboxBinary);
const skip = canRun ? false : 'needs root, runc and busybox-static';

interface LogLine {
  log: string;
  stream: string;
  time: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mountPoints(): { mountPoint: string; fsType: string }[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [left, right] = l.split(' - ');
      return { mountPoint: left?.split(' ')[4] ?? '', fsType: right?.split(' ')[0] ?? '' };
    });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('skiff-monitor', { skip }, () => {
  const driver = createMonitorDriver();
  let base = '';
  let runtimeRoot = '';
  let busyboxRoot = '';
  let template: Record<string, unknown> = {};
  const ids: string[] = [];
  const monitorPids: number[] = [];
  let counter = 0;

  before(() => {
    // Build the monitor so the test never runs a stale binary.
    execFileSync('make', ['-s', '-C', dirname(defaultMonitorPath)]);
    base = mkdtempSync('/tmp/skm-'); // short: unix socket paths are limited to 108 bytes
    runtimeRoot = join(base, 'runc');
    busyboxRoot = join(base, 'busybox');
    makeBusyboxRootfs(busyboxRoot);
    template = runcSpecTemplate(join(base, 'spec'));
  });

  after(async () => {
    for (const id of ids) {
      try {
        execFileSync(runcBinary, ['--root', runtimeRoot, 'delete', '--force', id], { stdio: 'ignore' });
      } catch {
        // not there any more: the normal case
      }
    }
    // A monitor whose container is gone finishes by itself; give it a moment, then stop it by pid.
    for (let i = 0; i < 40 && monitorPids.some(processAlive); i++) await sleep(50);
    for (const pid of monitorPids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const m of mountPoints().reverse()) {
      if (m.mountPoint.startsWith(`${base}/`)) execFileSync('umount', ['-l', m.mountPoint]);
    }
    if (base !== '') rmSync(base, { recursive: true, force: true });
  });

  interface Run {
    id: string;
    stateDir: string;
    logPath: string;
    bundleDir: string;
    options: MonitorStartOptions;
  }

  function prepare(
    args: string[],
    opts: Partial<MonitorStartOptions> & { rootfs?: string; dropNamespaces?: string[] } = {},
  ): Run {
    const id = `skm-${process.pid}-${++counter}`;
    const dir = join(base, `c${counter}`);
    const bundleDir = join(dir, 'bundle');
    const stateDir = join(dir, 'state');
    const logPath = join(dir, `${id}-json.log`);
    mkdirSync(stateDir, { recursive: true });
    writeBundle(template, bundleDir, opts.rootfs ?? busyboxRoot, args, {
      terminal: opts.tty ?? false,
      dropNamespaces: opts.dropNamespaces ?? [],
    });
    ids.push(id);
    const options: MonitorStartOptions = {
      id,
      runtimePath: runcBinary,
      runtimeRoot,
      bundleDir,
      logPath,
      stateDir,
      stdin: opts.stdin ?? false,
      stdinOnce: opts.stdinOnce ?? false,
      tty: opts.tty ?? false,
      ...(opts.overlay ? { overlay: opts.overlay } : {}),
    };
    return { id, stateDir, logPath, bundleDir, options };
  }

  async function start(r: Run): Promise<MonitorStarted> {
    const s = await driver.start(r.options);
    monitorPids.push(s.monitorPid);
    return s;
  }

  async function waitExit(stateDir: string, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await driver.readExit(stateDir);
      if (e) return e;
      if (Date.now() > deadline) throw new Error(`no exit.json in ${stateDir} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  const logLines = (path: string): LogLine[] =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogLine);

  test('monitor writes container output to the log in json-file format', async () => {
    const r = prepare(['sh', '-c', 'echo hello; echo oops >&2; printf \'q"b\\\\\\t\\001\\377x\\n\'; printf tail']);
    const s = await start(r);
    assert.ok(s.pid > 0);
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.signal, 0);
    assert.match(exit.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const lines = logLines(r.logPath);
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.log);
    const err = lines.filter((l) => l.stream === 'stderr').map((l) => l.log);
    assert.deepEqual(out, ['hello\n', 'q"b\\\t\u0001\ufffdx\n', 'tail']);
    assert.deepEqual(err, ['oops\n']);
    for (const l of lines) assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal(existsSync(join(r.stateDir, 'monitor.sock')), false);
  });

  test('monitor splits a line longer than 16 KiB into partial records', async () => {
    const r = prepare(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do printf 0123456789; i=$((i+1)); done; echo']);
    await start(r);
    assert.equal((await waitExit(r.stateDir)).exitCode, 0);
    const logs = logLines(r.logPath).map((l) => l.log);
    assert.deepEqual(
      logs.map((l) => l.length),
      [16384, 20001 - 16384],
    );
    assert.equal(logs.join(''), `${'0123456789'.repeat(2000)}\n`);
  });

  test('monitor records the exit status of the container', async () => {
    const r = prepare(['sh', '-c', 'exit 3']);
    await start(r);
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.signal, 0);
  });

  test('monitor relays kill and records 128+signal, staying small', async (t) => {
    // Without a pid namespace: a namespace's init ignores SIGTERM it has no handler for.
    const r = prepare(['sleep', '60'], { dropNamespaces: ['pid'] });
    const s = await start(r);
    assert.equal(await driver.isAlive(r.stateDir), s.pid);
    const status = readFileSync(`/proc/${s.monitorPid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    t.diagnostic(`monitor VmRSS while the container runs: ${rssKiB} kB`);
    assert.ok(rssKiB > 0 && rssKiB < 2048, `monitor RSS ${rssKiB} kB`);
    await driver.kill(r.stateDir, 15);
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 143);
    assert.equal(exit.signal, 15);
    assert.equal(await driver.isAlive(r.stateDir), undefined);
    await assert.rejects(driver.kill(r.stateDir, 9), (e: unknown) => isEngineError(e, 'NotFound'));
  });

  test('monitor feeds stdin from a socket client and closes it with stdin-once', async () => {
    const r = prepare(['cat'], { stdin: true, stdinOnce: true });
    await start(r);
    const sock = await driver.openStdin(r.stateDir);
    sock.write('hello stdin\n');
    sock.end('second line\n');
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(
      logLines(r.logPath).map((l) => [l.stream, l.log]),
      [
        ['stdout', 'hello stdin\n'],
        ['stdout', 'second line\n'],
      ],
    );
  });

  test('monitor gives a tty container a pty that resizes and takes stdin', async () => {
    const r = prepare(['sh', '-c', 'read x; stty size; echo "got $x"'], { tty: true, stdin: true });
    await start(r);
    await driver.resize(r.stateDir, 30, 100);
    const sock = await driver.openStdin(r.stateDir);
    sock.write('hello\n');
    const exit = await waitExit(r.stateDir);
    sock.destroy();
    assert.equal(exit.exitCode, 0);
    const lines = logLines(r.logPath);
    assert.ok(lines.every((l) => l.stream === 'stdout'));
    const text = lines.map((l) => l.log).join('');
    assert.match(text, /30 100\r\n/);
    assert.match(text, /got hello\r\n/);
  });

  test('monitor start rejects with the runtime error for a missing executable', async () => {
    const r = prepare(['nosuch']);
    await assert.rejects(driver.start(r.options), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.kind, 'System');
      assert.match(e.message, /executable file not found/);
      return true;
    });
    assert.equal(existsSync(join(r.stateDir, 'monitor.sock')), false);
    const list = execFileSync(runcBinary, ['--root', runtimeRoot, 'list', '-q'], { encoding: 'utf8' });
    assert.ok(!list.split('\n').includes(r.id));
  });

  test('monitor mounts the overlay root for the run and unmounts it afterwards', async () => {
    const dir = join(base, `ovl${++counter}`);
    const rootfs = join(dir, 'rootfs');
    const upperDir = join(dir, 'upper');
    const workDir = join(dir, 'work');
    for (const d of [rootfs, upperDir, workDir]) mkdirSync(d, { recursive: true });
    const r = prepare(['sh', '-c', 'echo written > /newfile; sleep 1'], {
      rootfs,
      overlay: { rootfs, lowerDirs: [busyboxRoot], upperDir, workDir },
    });
    await start(r);
    assert.ok(mountPoints().some((m) => m.mountPoint === rootfs && m.fsType === 'overlay'));
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.ok(!mountPoints().some((m) => m.mountPoint === rootfs));
    assert.equal(readFileSync(join(upperDir, 'newfile'), 'utf8'), 'written\n');
  });

  test('monitor mounts an overlay whose options exceed a page by using relative paths', async () => {
    const dir = join(base, `ovl${++counter}`);
    const rootfs = join(dir, 'rootfs');
    const upperDir = join(dir, 'upper');
    const workDir = join(dir, 'work');
    // 45 empty layers named like chain IDs on top of busybox: over 4096 bytes as absolute paths.
    const layers = Array.from({ length: 45 }, (_, i) => join(dir, 'layers', i.toString(16).padStart(64, 'a'), 'diff'));
    for (const d of [rootfs, upperDir, workDir, ...layers]) mkdirSync(d, { recursive: true });
    const lowerDirs = [...layers, busyboxRoot];
    assert.ok(lowerDirs.join(':').length > 4096);
    const r = prepare(['sh', '-c', 'echo deep'], { rootfs, overlay: { rootfs, lowerDirs, upperDir, workDir } });
    await start(r);
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(logLines(r.logPath).map((l) => l.log), ['deep\n']);
    assert.ok(!mountPoints().some((m) => m.mountPoint === rootfs));
  });

  test('monitor keeps the container running after its starter dies', async () => {
    const r = prepare(['sh', '-c', 'sleep 1; echo survived']);
    const script = [
      'const m = await import(process.env.SKM_MODULE);',
      'const s = await m.createMonitorDriver().start(JSON.parse(process.env.SKM_OPTS));',
      "process.stdout.write(JSON.stringify(s) + '\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const starter = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        SKM_MODULE: new URL('./monitor.js', import.meta.url).href,
        SKM_OPTS: JSON.stringify(r.options),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const starterExit = new Promise((res) => starter.once('exit', res));
    let text = '';
    for await (const chunk of starter.stdout) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const s = JSON.parse(text) as MonitorStarted;
    monitorPids.push(s.monitorPid);
    starter.kill('SIGKILL');
    await starterExit;
    assert.ok(processAlive(s.monitorPid), 'monitor died with its starter');
    assert.equal(await driver.isAlive(r.stateDir), s.pid);
    const exit = await waitExit(r.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(
      logLines(r.logPath).map((l) => l.log),
      ['survived\n'],
    );
  });

  test('monitor records the exit of containers that exit before the runtime returns', async () => {
    // `true` can be gone before `runc run --detach` exits; the monitor must still reap it.
    for (let i = 0; i < 5; i++) {
      const r = prepare(['test', 'x']); // busybox's test: as quick as true
      await start(r);
      const exit = await waitExit(r.stateDir, 5000);
      assert.equal(exit.exitCode, 0);
    }
  });

  test('monitor removes the container cgroups and runtime state itself when the container exits', async () => {
    const r = prepare(['test', 'x']); // busybox's test: as quick as true
    await start(r);
    await waitExit(r.stateDir, 5000);
    // runc's default cgroupsPath (none in the spec) is /<id> in every hierarchy.
    const left = ['memory', 'pids', 'devices', 'freezer', 'unified']
      .map((c) => `/sys/fs/cgroup/${c}/${r.id}`)
      .filter((d) => existsSync(d));
    assert.deepEqual(left, []);
    assert.equal(existsSync(join(runtimeRoot, r.id)), false);
  });

  test('monitor falls back to runc delete when processes outlive the container init', async () => {
    // No pid namespace: the background sleep survives init, so its cgroup is busy.
    const r = prepare(['sh', '-c', 'sleep 30 & exit 4'], { dropNamespaces: ['pid'] });
    await start(r);
    const exit = await waitExit(r.stateDir, 5000);
    assert.equal(exit.exitCode, 4);
    const list = execFileSync(runcBinary, ['--root', runtimeRoot, 'list', '-q'], { encoding: 'utf8' });
    assert.ok(!list.split('\n').includes(r.id));
    assert.equal(existsSync(`/sys/fs/cgroup/memory/${r.id}`), false);
  });

  function execProcess(dir: string, args: string[], extra: Record<string, unknown> = {}): string {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'process.json');
    const proc = { terminal: false, user: { uid: 0, gid: 0 }, args, env: ['PATH=/bin'], cwd: '/', ...extra };
    writeFileSync(path, JSON.stringify(proc));
    return path;
  }

  function execOptions(r: Run, name: string, args: string[], extra: Record<string, unknown> = {}): MonitorExecOptions {
    const dir = join(base, `x${++counter}-${name}`);
    return {
      containerId: r.id,
      runtimePath: runcBinary,
      runtimeRoot,
      processPath: execProcess(dir, args, extra),
      logPath: join(dir, 'log.json'),
      stateDir: dir,
      stdin: false,
      tty: extra['terminal'] === true,
    };
  }

  test('monitor exec mode runs a process in the container namespaces and records its exit', async () => {
    const r = prepare(['sleep', '60']);
    const c = await start(r);
    const x = execOptions(r, 'ns', ['sh', '-c', 'echo in; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; exit 5']);
    const s = await driver.startExec(x);
    monitorPids.push(s.monitorPid);
    assert.equal((await waitExit(x.stateDir)).exitCode, 5);
    const out = logLines(x.logPath).map((l) => l.log);
    const hostView = ['pid', 'mnt'].map((ns) => `${readlinkSync(`/proc/${c.pid}/ns/${ns}`)}\n`);
    assert.deepEqual(out, ['in\n', ...hostView]);
    // The container is untouched by its exec's end.
    assert.equal(await driver.isAlive(r.stateDir), c.pid);
    await driver.kill(r.stateDir, 9);
    assert.equal((await waitExit(r.stateDir)).exitCode, 137);
  });

  test('monitor exec mode gives a tty of the requested size and reports a missing binary', async () => {
    const r = prepare(['sleep', '60']);
    const c = await start(r);
    const x = execOptions(r, 'tty', ['sh', '-c', 'test -t 0 && stty size'], { terminal: true, consoleSize: { height: 21, width: 77 } });
    monitorPids.push((await driver.startExec(x)).monitorPid);
    assert.equal((await waitExit(x.stateDir)).exitCode, 0);
    assert.match(logLines(x.logPath).map((l) => l.log).join(''), /^21 77\r\n$/);
    const bad = execOptions(r, 'bad', ['nosuch']);
    await assert.rejects(driver.startExec(bad), /executable file not found/);
    assert.equal(await driver.isAlive(r.stateDir), c.pid);
    await driver.kill(r.stateDir, 9);
    await waitExit(r.stateDir);
  });

  test('monitor logs a partial line (a prompt) without waiting for its newline', async () => {
    for (const tty of [true, false]) {
      const r = prepare(['sh', '-c', 'printf "name? "; sleep 3'], { tty });
      await start(r);
      await sleep(1000);
      assert.deepEqual(logLines(r.logPath).map((l) => l.log), ['name? '], tty ? 'tty' : 'pipe');
      await driver.kill(r.stateDir, 9);
      await waitExit(r.stateDir);
    }
  });

  test('monitor rotates the log at its size cap keeping the configured number of files', async () => {
    const r = prepare(['sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done']);
    r.options.logMaxSize = 1500;
    r.options.logMaxFiles = 3;
    await start(r);
    assert.equal((await waitExit(r.stateDir)).exitCode, 0);
    const files = [r.logPath, `${r.logPath}.1`, `${r.logPath}.2`];
    for (const f of files) assert.ok(statSync(f).size <= 1500 && statSync(f).size > 0, f);
    assert.equal(existsSync(`${r.logPath}.3`), false);
    const all = [...files].reverse().flatMap((f) => logLines(f).map((l) => l.log));
    assert.equal(all.at(-1), 'line 199\n');
    // Consecutive: rotation loses nothing between the files it keeps.
    const first = Number(/line (\d+)/.exec(all[0] ?? '')?.[1]);
    assert.deepEqual(all, Array.from({ length: 200 - first }, (_, i) => `line ${first + i}\n`));
  });

  test('monitor leaves no runtime state behind', () => {
    const list = execFileSync(runcBinary, ['--root', runtimeRoot, 'list', '-q'], { encoding: 'utf8' });
    assert.equal(list.trim(), '');
    assert.ok(!mountPoints().some((m) => m.mountPoint.startsWith(`${base}/`)));
  });
});
