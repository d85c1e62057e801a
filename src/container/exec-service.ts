import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, EngineError, notFound } from '../base/engine-error.js';
import { newId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import type { ContainerExit, MonitorDriver } from '../sys/monitor.js';
import { capsFromMask, privilegedCapabilities } from './capabilities.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerService, LifecycleHooks } from './container-service.js';
import { buildExecProcess, type ExecConfig } from './exec-process.js';
import { LogCursor, watchLog, type LogEntry } from './log-file.js';
import type { SpecProcess } from './runtime-spec-types.js';
import { layeredReader } from './start-preparer.js';
import { resolveUser } from './user-lookup.js';

export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** null until the process has ended (Docker's ExitCode: null while running). */
  exitCode: number | null;
  pid: number;
  started: boolean;
  stateDir: string;
  /** A resize that arrived before the process had a terminal: applied at start. */
  pendingSize?: { height: number; width: number };
  /** Set once the exit is recorded; followers drain the log synchronously in it. */
  exitListeners: Set<() => void>;
  watcher?: { watcher: FSWatcher; timer: NodeJS.Timeout };
  monitorPid: number;
  /** performance.now() when the runtime reported the process running (for the debug log). */
  startedAt?: number;
}

export interface ExecServiceDeps {
  containers: ContainerService;
  monitor: MonitorDriver;
  execRoot: string;
  runtimePath: string;
  runtimeRoot: string;
  log: Logger;
}

/** What a client attached to an exec gets: output entries as they are logged, and its stdin. */
export interface ExecIo {
  output(entries: LogEntry[]): void;
  /** Bytes for the process's stdin (only with AttachStdin); its end closes that stdin. */
  stdin?: Readable;
  /** The client went away: stop streaming (the process keeps running, as in Docker). */
  signal: AbortSignal;
}

const livenessMs = 1_000;
/** Finished execs are kept for `docker exec inspect` until their container stops; never more than this per container. */
const maxFinishedPerContainer = 200;

/**
 * `docker exec`: every exec runs under a skiff-monitor of its own in exec mode
 * (`runc exec --detach`), so it joins all the container's namespaces and cgroup through the
 * runtime; the monitor logs its output to <exec-root>/x/<id>/log.json and writes exit.json.
 * Records live in memory, as in dockerd: a daemon restart forgets them.
 */
export class ExecService implements LifecycleHooks {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly deps: ExecServiceDeps) {}

  private dirFor(id: string): string {
    // Short: the monitor's socket path must stay under 108 bytes.
    return join(this.deps.execRoot, 'x', id.slice(0, 16));
  }

  /** The container must be running and not paused, with moby's wording. */
  private activeContainer(ref: string): ContainerRecord {
    const rec = this.deps.containers.resolve(ref);
    const s = rec.state.status;
    if (s === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`);
    if (s === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
    if (s !== 'running') throw conflict(`container ${rec.id} is not running`);
    return rec;
  }

  create(containerRef: string, config: ExecConfig): ExecRecord {
    const container = this.activeContainer(containerRef);
    const id = newId();
    const rec: ExecRecord = {
      id,
      containerId: container.id,
      config,
      running: false,
      exitCode: null,
      pid: 0,
      started: false,
      stateDir: this.dirFor(id),
      exitListeners: new Set(),
      monitorPid: 0,
    };
    this.execs.set(id, rec);
    this.trim(container.id);
    this.deps.containers.recordEvent(container, `exec_create: ${config.cmd.join(' ')}`, { execID: id });
    return rec;
  }

  /** Throws what a start would refuse with (unknown exec, already run, container not running): check before hijacking. */
  startable(id: string): { rec: ExecRecord; container: ContainerRecord } {
    const rec = this.get(id);
    if (rec.running) throw conflict(`Error: Exec command ${id} is already running`);
    if (rec.started) throw conflict(`Error: Exec command ${id} has already run`);
    return { rec, container: this.activeContainer(rec.containerId) };
  }

  get(id: string): ExecRecord {
    const rec = this.execs.get(id);
    if (!rec) throw notFound(`No such exec instance: ${id}`);
    return rec;
  }

  /**
   * Starts the exec. Without `io` (Detach) it resolves once the process runs. With `io` it
   * streams the output and resolves after the process has ended, its exit code recorded and
   * every line delivered, or when the client goes away. A start the runtime refuses (missing
   * binary) throws without `io`; with `io` the error text goes into the stream as Docker does and
   * the exit code becomes 126/127.
   */
  async start(id: string, opts: { tty?: boolean; consoleSize?: { height: number; width: number } }, io?: ExecIo): Promise<void> {
    const { rec, container } = this.startable(id);
    rec.started = true;
    rec.running = true;
    if (opts.tty !== undefined) rec.config = { ...rec.config, tty: opts.tty || rec.config.tty };
    const size = rec.pendingSize ?? opts.consoleSize ?? rec.config.consoleSize;
    const logPath = join(rec.stateDir, 'log.json');
    let following: Promise<void> | undefined;
    try {
      await rm(rec.stateDir, { recursive: true, force: true });
      await mkdir(rec.stateDir, { recursive: true });
      // Follow from before the start: a quick process may be gone before the runtime returns.
      following = io ? this.follow(rec, logPath, io) : undefined;
      const processPath = join(rec.stateDir, 'process.json');
      await writeFile(processPath, JSON.stringify(this.processFor(container, rec.config, size)));
      this.watchExit(rec);
      const t0 = performance.now();
      const started = await this.deps.monitor.startExec({
        containerId: container.id,
        runtimePath: this.deps.runtimePath,
        runtimeRoot: this.deps.runtimeRoot,
        processPath,
        logPath,
        stateDir: rec.stateDir,
        stdin: rec.config.attachStdin,
        tty: rec.config.tty,
      });
      rec.pid = started.pid;
      rec.monitorPid = started.monitorPid;
      rec.startedAt = performance.now();
      this.deps.log.debug('exec started', { id, container: container.id, monitorMs: Math.round(rec.startedAt - t0) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const text = `OCI runtime exec failed: ${message}: unknown`;
      this.finish(rec, { exitCode: execFailureCode(message), finishedAt: '', signal: 0 }, false);
      if (!io) throw new EngineError('System', text, { cause: err });
      io.output([{ log: `${text}\r\n`, stream: 'stdout', time: '' }]);
      return;
    }
    this.deps.containers.recordEvent(container, `exec_start: ${rec.config.cmd.join(' ')}`, { execID: id });
    if (rec.pendingSize && rec.config.tty && rec.pendingSize !== size) void this.resize(id, rec.pendingSize.height, rec.pendingSize.width);
    if (io?.stdin && rec.config.attachStdin) void this.connectStdin(rec, io.stdin);
    // The process may have ended before we watched: look once now.
    void this.checkExit(rec);
    await following;
  }

  private processFor(container: ContainerRecord, config: ExecConfig, size: { height: number; width: number } | undefined): SpecProcess {
    const p = this.deps.containers.paths(container.id);
    const bundle = JSON.parse(readFileSync(p.bundleConfig, 'utf8')) as { process: SpecProcess };
    // The root is mounted while the container runs, so users resolve against what it sees now.
    const user = config.user ? resolveUser(config.user, layeredReader([p.rootfs])) : undefined;
    const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
    return buildExecProcess({
      base: bundle.process,
      exec: config,
      user,
      privilegedCaps: privilegedCapabilities(capsFromMask(bounding)),
      ...(size ? { consoleSize: size } : {}),
    });
  }

  private async connectStdin(rec: ExecRecord, stdin: Readable): Promise<void> {
    let sock: Socket;
    try {
      sock = await this.deps.monitor.openStdin(rec.stateDir);
    } catch {
      stdin.resume(); // the process is gone already: drop its input
      return;
    }
    sock.on('error', () => {});
    // Ending the monitor connection closes the process's stdin (the monitor runs with --stdin-once).
    stdin.pipe(sock);
    const drop = () => {
      stdin.unpipe(sock);
      sock.destroy();
    };
    rec.exitListeners.add(drop);
  }

  /** Streams the exec's log to `io` until its exit is recorded (final drain included) or the client leaves. */
  private follow(rec: ExecRecord, logPath: string, io: ExecIo): Promise<void> {
    return new Promise((resolve) => {
      const cursor = new LogCursor(logPath);
      let done = false;
      const pump = () => {
        if (done) return;
        const entries = cursor.readSync();
        if (entries.length) io.output(entries);
      };
      const stopWatching = watchLog(logPath, pump);
      const finish = () => {
        if (done) return;
        pump();
        done = true;
        stopWatching();
        rec.exitListeners.delete(finish);
        io.signal.removeEventListener('abort', finish);
        resolve();
      };
      rec.exitListeners.add(finish);
      io.signal.addEventListener('abort', finish, { once: true });
      if (io.signal.aborted) finish();
    });
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const rec = this.get(id);
    const size = { height: Math.trunc(height), width: Math.trunc(width) };
    if (!rec.config.tty || height <= 0 || width <= 0) return;
    if (!rec.running || rec.pid === 0) {
      // Not started yet (or starting): remembered and applied when the pty exists.
      if (rec.exitCode === null) rec.pendingSize = size;
      return;
    }
    await this.deps.monitor.resize(rec.stateDir, size.height, size.width).catch(() => {});
  }

  private watchExit(rec: ExecRecord): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(rec.stateDir, (_event, file) => {
        if (file === 'exit.json') void this.checkExit(rec);
      });
    } catch {
      return;
    }
    watcher.on('error', () => {});
    // A monitor that dies without an exit record (killed) must not leave the exec running forever.
    const timer = setInterval(() => {
      if (existsSync(join(rec.stateDir, 'exit.json'))) return void this.checkExit(rec);
      if (rec.monitorPid > 0 && !processAlive(rec.monitorPid)) {
        void this.checkExit(rec).then(() => {
          if (rec.running) this.finish(rec, { exitCode: 126, finishedAt: '', signal: 0 });
        });
      }
    }, livenessMs);
    timer.unref();
    rec.watcher = { watcher, timer };
  }

  private async checkExit(rec: ExecRecord): Promise<void> {
    if (!rec.running) return;
    let exit: ContainerExit | undefined;
    try {
      exit = await this.deps.monitor.readExit(rec.stateDir);
    } catch {
      return;
    }
    if (exit && rec.running) this.finish(rec, exit);
  }

  /** Records the exit, lets followers drain (synchronously), then removes the exec's files. */
  private finish(rec: ExecRecord, exit: ContainerExit, announce = true): void {
    if (rec.exitCode !== null) return;
    rec.running = false;
    rec.exitCode = exit.exitCode;
    if (rec.startedAt) this.deps.log.debug('exec ended', { id: rec.id, exitCode: exit.exitCode, ranMs: Math.round(performance.now() - rec.startedAt) });
    if (rec.watcher) {
      rec.watcher.watcher.close();
      clearInterval(rec.watcher.timer);
      rec.watcher = undefined;
    }
    for (const listener of [...rec.exitListeners]) listener();
    rec.exitListeners.clear();
    if (announce) {
      let container: ContainerRecord | undefined;
      try {
        container = this.deps.containers.resolve(rec.containerId);
      } catch {
        container = undefined; // removed meanwhile
      }
      if (container) this.deps.containers.recordEvent(container, 'exec_die', { execID: rec.id, exitCode: String(exit.exitCode) });
    }
    void rm(rec.stateDir, { recursive: true, force: true });
  }

  /** Keeps at most `maxFinishedPerContainer` finished execs of one container. */
  private trim(containerId: string): void {
    const finished = [...this.execs.values()].filter((e) => e.containerId === containerId && e.exitCode !== null);
    for (const e of finished.slice(0, Math.max(0, finished.length - maxFinishedPerContainer))) this.execs.delete(e.id);
  }

  /** Forgets a container's execs once it stopped (as dockerd does); running ones go when they end. */
  private forget(containerId: string): void {
    for (const e of [...this.execs.values()]) {
      if (e.containerId !== containerId) continue;
      if (e.running) e.exitListeners.add(() => this.execs.delete(e.id));
      else this.execs.delete(e.id);
    }
  }

  /** LifecycleHooks.released: a stopped container's execs are dropped. */
  async released(rec: ContainerRecord): Promise<void> {
    this.forget(rec.id);
  }

  /** LifecycleHooks.removed. */
  async removed(rec: ContainerRecord): Promise<void> {
    this.forget(rec.id);
  }

  /** Startup: exec records did not survive the restart; remove files of exec monitors that are gone. */
  async reconcile(): Promise<void> {
    const dir = join(this.deps.execRoot, 'x');
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const stateDir = join(dir, name);
      const alive = await this.deps.monitor.isAlive(stateDir).catch(() => undefined);
      if (alive === undefined) await rm(stateDir, { recursive: true, force: true });
    }
  }

  close(): void {
    for (const e of this.execs.values()) {
      if (!e.watcher) continue;
      e.watcher.watcher.close();
      clearInterval(e.watcher.timer);
    }
  }
}

/** dockerd's exit codes for an exec the runtime could not start: 127 not found, 126 otherwise. */
export function execFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/.test(message)) return 127;
  return 126;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
