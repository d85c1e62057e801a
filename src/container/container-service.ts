import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, EngineError, invalidParameter, isEngineError, notFound, notModified } from '../base/engine-error.js';
import { newId, shortId } from '../base/ids.js';
import { KeyedMutex } from '../base/keyed-mutex.js';
import type { Logger } from '../base/log.js';
import { rfc3339Nano } from '../base/rfc3339.js';
import type { ContainerExit, MonitorDriver } from '../sys/monitor.js';
import { unmountAll } from '../sys/mounts.js';
import { forceDeleteRuntimeContainer } from '../sys/runtime-cleanup.js';
import { createResourceControl, createRuntimeControl, type ResourceControl, type RuntimeControl } from '../sys/runtime-control.js';
import { cpus } from 'node:os';
import { planResourceUpdate } from './resources-update.js';
import { ContainerEvents } from './container-events.js';
import { checkContainerName, randomName } from './container-names.js';
import { containerPaths, type ContainerPaths } from './container-paths.js';
import { initialState, zeroTime, type ContainerRecord, type ContainerSpec, type ContainerState } from './container-record.js';
import { ContainerStore } from './container-store.js';
import { EventLog } from './event-log.js';
import { decideRestart, restartPolicyError, type RestartDecision, type RestartPolicy } from './restart-policy.js';
import { RestartTimers } from './restart-timers.js';
import { parseSignal } from './signals.js';

/** Prepares a start: writes the bundle and returns what the monitor needs. Injected so it stays testable. */
export type StartPreparer = (rec: ContainerRecord, paths: ContainerPaths) => Promise<{ lowerDirs: string[] }>;

/**
 * What other capabilities (networking, volumes) hang on a container's lifecycle. `released` runs
 * once the container has stopped (exit recorded, or a failed start rolled back); it must be
 * idempotent, since recovery paths may call it again.
 */
export interface LifecycleHooks {
  released?(rec: ContainerRecord): Promise<void>;
  removed?(rec: ContainerRecord, opts?: { removeVolumes: boolean }): Promise<void>;
}

export interface ContainerServiceDeps {
  store: ContainerStore;
  hooks?: LifecycleHooks[];
  monitor: MonitorDriver;
  prepareStart: StartPreparer;
  dataRoot: string;
  execRoot: string;
  runtimePath: string;
  runtimeRoot: string;
  log: Logger;
  /** The engine's event log (GET /events); one is made when not given. */
  eventLog?: EventLog;
  /** pause/resume through the runtime; defaults to runc at runtimePath/runtimeRoot. */
  runtimeControl?: RuntimeControl;
  /** `docker update` of limits through the runtime; defaults to runc at runtimePath/runtimeRoot. */
  resourceControl?: ResourceControl;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

const livenessInterval = 2_000;
/** How long a SIGKILLed container may take to be reaped before skiff stops trusting its monitor. */
const forceKillGraceMs = 10_000;

/** A container whose process is alive (frozen or not), as Docker's State.Running. */
const isUp = (status: ContainerState['status']) => status === 'running' || status === 'paused';

/** The container lifecycle: records, start/stop/kill/remove, pause, restart policies, exits, waits. */
export class ContainerService {
  readonly events = new ContainerEvents();
  readonly eventLog: EventLog;
  private readonly locks = new KeyedMutex();
  private readonly watchers = new Map<string, { watcher: FSWatcher; timer: NodeJS.Timeout }>();
  private readonly restarts = new RestartTimers();
  private readonly runtime: RuntimeControl;
  /** Containers inside `docker restart`: their exit must not auto-remove them. */
  private readonly manualRestarts = new Set<string>();

  constructor(private readonly deps: ContainerServiceDeps) {
    this.eventLog = deps.eventLog ?? new EventLog();
    this.runtime = deps.runtimeControl ?? createRuntimeControl(deps.runtimePath, deps.runtimeRoot);
  }

  paths(id: string): ContainerPaths {
    return containerPaths(this.deps.dataRoot, this.deps.execRoot, id);
  }

  /** Full ID, unique prefix, name or /name → record; Docker's 404 wording otherwise. */
  resolve(ref: string): ContainerRecord {
    const { store } = this.deps;
    const exact = store.get(ref);
    if (exact) return exact;
    const byName = store.idByName(ref.replace(/^\//, ''));
    if (byName) return store.get(byName)!;
    if (/^[0-9a-f]+$/.test(ref)) {
      const ids = store.idsByPrefix(ref);
      if (ids.length > 1) throw invalidParameter(`Multiple IDs found with provided prefix: ${ref}`);
      const only = ids[0];
      if (only) return store.get(only)!;
    }
    throw notFound(`No such container: ${ref}`);
  }

  list(): ContainerRecord[] {
    return this.deps.store.all();
  }

  async create(spec: ContainerSpec, wire: ContainerRecord['wire'], name?: string): Promise<ContainerRecord> {
    const id = newId();
    const given = name ? checkContainerName(name) : undefined;
    const rec: ContainerRecord = {
      id,
      name: given ?? '',
      created: rfc3339Nano(),
      spec: { ...spec, hostname: spec.hostname || shortId(id) },
      state: initialState(),
      restartCount: 0,
      wire,
    };
    const p = this.paths(id);
    await mkdir(p.upper, { recursive: true });
    await mkdir(p.work, { recursive: true });
    await mkdir(p.rootfs, { recursive: true });
    try {
      // Picked in the same tick as the insert: concurrent creates cannot draw the same free name.
      if (given === undefined) rec.name = this.freshName();
      this.deps.store.insert(rec);
    } catch (err) {
      await rm(p.dir, { recursive: true, force: true });
      throw err;
    }
    this.emit('create', rec);
    return rec;
  }

  private freshName(): string {
    for (let attempt = 0; ; attempt++) {
      const name = randomName(attempt);
      if (!this.deps.store.idByName(name)) return name;
    }
  }

  /**
   * Starts a container. `byPolicy`: a restart policy's restart (only while the container is still
   * `restarting`: a stop or removal in between cancels it); `fresh`: counts as a user's start.
   */
  async start(ref: string, opts: { byPolicy?: boolean; fresh?: boolean } = {}): Promise<void> {
    const id = this.resolve(ref).id;
    const fresh = opts.fresh ?? !opts.byPolicy;
    await this.locks.run(id, async () => {
      const rec = this.resolve(id);
      if (opts.byPolicy && rec.state.status !== 'restarting') return;
      if (rec.state.status === 'running' || (rec.state.status === 'restarting' && !opts.byPolicy)) throw notModified();
      if (rec.state.status === 'paused') throw conflict('cannot start a paused container, try unpause instead');
      if (rec.state.status === 'removing') throw conflict(`container is marked for removal and cannot be started`);
      const p = this.paths(id);
      await rm(p.stateDir, { recursive: true, force: true });
      await mkdir(p.stateDir, { recursive: true });
      let started;
      try {
        const t0 = performance.now();
        const { lowerDirs } = await this.deps.prepareStart(rec, p);
        this.watchExit(id, p.stateDir);
        const t1 = performance.now();
        started = await this.deps.monitor.start({
          id,
          runtimePath: this.deps.runtimePath,
          runtimeRoot: this.deps.runtimeRoot,
          bundleDir: p.dir,
          overlay: { rootfs: p.rootfs, lowerDirs, upperDir: p.upper, workDir: p.work },
          logPath: p.log,
          stateDir: p.stateDir,
          stdin: rec.spec.openStdin,
          stdinOnce: rec.spec.stdinOnce,
          tty: rec.spec.tty,
        });
        this.deps.log.debug('container started', { id, prepareMs: Math.round(t1 - t0), monitorMs: Math.round(performance.now() - t1) });
      } catch (err) {
        this.unwatch(id);
        await this.runHooks('released', rec);
        await rm(p.stateDir, { recursive: true, force: true });
        const message = err instanceof Error ? err.message : String(err);
        const state: ContainerState = { ...rec.state, status: rec.state.status === 'created' ? 'created' : 'exited', error: message };
        state.exitCode = 128;
        this.deps.store.saveState(id, state);
        if (rec.state.status === 'restarting') this.events.emit('exited', id, 128);
        // As dockerd: an --rm container whose start failed is removed (its waiters see "removed").
        if (rec.spec.host.autoRemove) await this.destroy({ ...rec, state }, true);
        throw err instanceof EngineError ? err : new EngineError('System', message, { cause: err });
      }
      if (fresh) this.restarts.reset(id);
      const state: ContainerState = {
        ...rec.state,
        status: 'running',
        pid: started.pid,
        monitorPid: started.monitorPid,
        exitCode: 0,
        error: '',
        oomKilled: false,
        startedAt: rfc3339Nano(),
        finishedAt: rec.state.finishedAt,
        manuallyStopped: false,
      };
      this.deps.store.saveState(id, state, fresh ? 0 : rec.restartCount);
      this.emit('start', this.resolve(id));
      this.events.emit('started', id);
    });
    // The container may have exited before its record said running: look again.
    const p = this.paths(id);
    const exit = await this.deps.monitor.readExit(p.stateDir);
    if (exit) await this.onExit(id, exit);
  }

  /** Sends the stop signal, waits `timeout` seconds (default: the container's or 10), then SIGKILL. */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    let rec = this.resolve(ref);
    if (rec.state.status === 'restarting') {
      await this.cancelRestart(rec.id);
      // The restart may have won the race: then it is stopped like any running container.
      rec = this.resolve(rec.id);
      if (!isUp(rec.state.status)) {
        this.emit('stop', rec);
        return;
      }
    }
    if (!isUp(rec.state.status)) throw notModified();
    const signal = parseSignal(opts.signal || rec.spec.stopSignal || 'SIGTERM');
    const timeout = opts.timeout ?? rec.spec.stopTimeout ?? 10;
    this.markManuallyStopped(rec.id);
    const exited = this.waitFor(rec.id, 'not-running');
    this.emit('kill', rec, { signal: String(signal) });
    await this.signal(rec, signal).catch(() => {});
    // A frozen process gets the signal once thawed (Docker signals first, then unpauses).
    if (rec.state.status === 'paused') await this.thaw(rec);
    if (timeout < 0) {
      await exited;
    } else if (!(await withTimeout(exited, timeout * 1000))) {
      this.emit('kill', rec, { signal: '9' });
      await this.signal(rec, 9).catch(() => {});
      if (!(await withTimeout(exited, forceKillGraceMs))) await this.tearDownUnresponsive(rec);
    }
    this.emit('stop', rec);
  }

  async kill(ref: string, signalName = 'SIGKILL'): Promise<void> {
    let rec = this.resolve(ref);
    const signal = parseSignal(signalName);
    // A restarting container has no process: killing it just cancels the pending restart.
    if (rec.state.status === 'restarting') {
      await this.cancelRestart(rec.id);
      rec = this.resolve(rec.id);
      if (!isUp(rec.state.status)) return;
    }
    if (!isUp(rec.state.status)) throw conflict(`Container ${rec.id} is not running`);
    this.markManuallyStopped(rec.id);
    this.emit('kill', rec, { signal: String(signal) });
    await this.signal(rec, signal);
    const stopSignal = parseSignal(rec.spec.stopSignal || 'SIGTERM');
    if (rec.state.status === 'paused' && (signal === 9 || signal === stopSignal)) await this.thaw(rec);
  }

  async pause(ref: string): Promise<void> {
    const id = this.resolve(ref).id;
    await this.locks.run(id, async () => {
      const rec = this.resolve(id);
      if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is already paused`);
      if (rec.state.status === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
      if (rec.state.status !== 'running') throw conflict(`Container ${rec.id} is not running`);
      await this.runtime.pause(rec.id);
      this.deps.store.saveState(id, { ...rec.state, status: 'paused' });
      this.emit('pause', rec);
    });
  }

  async unpause(ref: string): Promise<void> {
    const id = this.resolve(ref).id;
    await this.locks.run(id, async () => {
      const rec = this.resolve(id);
      if (rec.state.status !== 'paused') throw conflict(`Container ${rec.id} is not paused`);
      await this.runtime.resume(rec.id);
      this.deps.store.saveState(id, { ...this.resolve(id).state, status: 'running' });
      this.emit('unpause', rec);
    });
  }

  /** Resumes a frozen container for stop/kill/rm; its record says running again. */
  private async thaw(rec: ContainerRecord): Promise<void> {
    await this.runtime.resume(rec.id).catch((err: unknown) => this.deps.log.warn('resume failed', { id: rec.id, err }));
    const now = this.deps.store.get(rec.id);
    if (now?.state.status === 'paused') this.deps.store.saveState(rec.id, { ...now.state, status: 'running' });
  }

  /** `docker restart`: stop (or cancel a pending restart), then a fresh start; emits `restart`. */
  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.resolve(ref);
    this.manualRestarts.add(rec.id);
    try {
      await this.stop(rec.id, opts).catch((err: unknown) => {
        if (!isEngineError(err, 'NotModified')) throw err;
      });
      await this.start(rec.id);
    } finally {
      this.manualRestarts.delete(rec.id);
    }
    this.emit('restart', this.resolve(rec.id));
  }

  /** `docker update`: only the restart policy can change for now. */
  update(ref: string, change: { restartPolicy?: RestartPolicy }): void {
    const rec = this.resolve(ref);
    const policy = change.restartPolicy;
    if (!policy || policy.name === '') return;
    const bad = restartPolicyError({ Name: policy.name, MaximumRetryCount: policy.maximumRetryCount });
    if (bad) throw invalidParameter(bad);
    if (rec.spec.host.autoRemove && policy.name !== 'no') {
      throw invalidParameter('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    this.deps.store.saveSpec(rec.id, { ...rec.spec, host: { ...rec.spec.host, restartPolicy: { ...policy } } });
    this.emit('update', rec);
  }

  /**
   * `docker update` of limits (the Resources fields of the body): a running container gets them
   * through the runtime first, so a limit the kernel refuses is not recorded.
   */
  async updateResources(ref: string, body: Record<string, unknown>): Promise<void> {
    const id = this.resolve(ref).id;
    await this.locks.run(id, async () => {
      const rec = this.resolve(id);
      const plan = planResourceUpdate(rec.spec.host, body, cpus().length || 1);
      if (!plan.changed) return;
      if (isUp(rec.state.status)) {
        const control = this.deps.resourceControl ?? createResourceControl(this.deps.runtimePath, this.deps.runtimeRoot);
        await control.update(id, plan.runtime);
      }
      this.deps.store.saveSpec(id, { ...rec.spec, host: plan.host });
      this.emit('update', rec);
    });
  }

  /** Persisted before signalling, so the exit that follows is not restarted by a policy. */
  private markManuallyStopped(id: string): void {
    const now = this.deps.store.get(id);
    if (now && !now.state.manuallyStopped) this.deps.store.saveState(id, { ...now.state, manuallyStopped: true });
  }

  /** Drops a pending policy restart: the container stays exited; waiters see it stop. */
  private async cancelRestart(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      this.restarts.cancel(id);
      const rec = this.deps.store.get(id);
      if (!rec || rec.state.status !== 'restarting') return;
      this.deps.store.saveState(id, { ...rec.state, status: 'exited', manuallyStopped: true });
      this.events.emit('exited', id, rec.state.exitCode);
    });
  }

  /**
   * SIGKILL did not end the container within the grace period: its monitor is stuck or gone.
   * Kill both directly, delete the runtime state, unmount the root and record the exit.
   */
  private async tearDownUnresponsive(rec: ContainerRecord): Promise<void> {
    this.deps.log.warn('container did not exit after SIGKILL; tearing it down', { id: rec.id });
    // Only kill processes that still provably belong to this container (pids get reused).
    const owned = (pid: number, file: 'cgroup' | 'cmdline') => {
      try {
        return pid > 0 && readFileSync(`/proc/${pid}/${file}`, 'utf8').includes(rec.id);
      } catch {
        return false;
      }
    };
    for (const [pid, file] of [[rec.state.pid, 'cgroup'], [rec.state.monitorPid, 'cmdline']] as const) {
      if (!owned(pid, file)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await forceDeleteRuntimeContainer(this.deps.runtimePath, this.deps.runtimeRoot, rec.id);
    await unmountAll(this.paths(rec.id).dir);
    const exit = await this.deps.monitor.readExit(this.paths(rec.id).stateDir);
    await this.onExit(rec.id, exit ?? { exitCode: 137, finishedAt: rfc3339Nano(), signal: 9 }, exit ? '' : 'container monitor did not respond');
  }

  private async runHooks(which: keyof LifecycleHooks, rec: ContainerRecord, opts?: { removeVolumes: boolean }): Promise<void> {
    for (const hook of this.deps.hooks ?? []) {
      try {
        await hook[which]?.(rec, opts);
      } catch (err) {
        this.deps.log.warn(`${which} hook failed`, { id: rec.id, err });
      }
    }
  }

  private async signal(rec: ContainerRecord, signal: number): Promise<void> {
    await this.deps.monitor.kill(this.paths(rec.id).stateDir, signal);
  }

  async remove(ref: string, opts: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    const found = this.resolve(ref);
    const status = found.state.status;
    if ((isUp(status) || status === 'restarting') && !opts.force) {
      if (status === 'paused') throw conflict(`cannot remove container "/${found.name}": container is paused and must be unpaused first`);
      throw conflict(
        `cannot remove container "/${found.name}": container is ${status}: stop the container before removing or force remove`,
      );
    }
    // A policy restart can race with the kill: look again until the container is down.
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = this.deps.store.get(found.id);
      if (!cur) return;
      if (cur.state.status === 'restarting') {
        await this.cancelRestart(cur.id);
        continue;
      }
      if (!isUp(cur.state.status)) break;
      this.markManuallyStopped(cur.id);
      const exited = this.waitFor(cur.id, 'not-running');
      // dockerd's `rm -f` kills through its kill path: `kill` (signal 9) comes before `die`/`destroy`.
      this.emit('kill', cur, { signal: '9' });
      await this.signal(cur, 9).catch(() => {});
      if (cur.state.status === 'paused') await this.thaw(cur);
      if (!(await withTimeout(exited, forceKillGraceMs))) await this.tearDownUnresponsive(cur);
    }
    await this.locks.run(found.id, async () => {
      const rec = this.deps.store.get(found.id);
      if (!rec) return;
      if (isUp(rec.state.status)) throw conflict(`cannot remove container "/${rec.name}": container is running`);
      if (rec.state.status === 'restarting') throw conflict(`cannot remove container "/${rec.name}": container is restarting`);
      await this.destroy(rec, opts.removeVolumes === true);
    });
  }

  private async destroy(rec: ContainerRecord, removeVolumes = false): Promise<void> {
    this.deps.store.saveState(rec.id, { ...rec.state, status: 'removing' });
    this.unwatch(rec.id);
    this.restarts.reset(rec.id);
    const p = this.paths(rec.id);
    if (rec.state.error) await unmountAll(p.dir); // a monitor that died may have left the root mounted
    await rm(p.stateDir, { recursive: true, force: true });
    await rm(p.dir, { recursive: true, force: true });
    await this.runHooks('removed', rec, { removeVolumes });
    this.deps.store.delete(rec.id);
    this.emit('destroy', rec);
    this.events.emit('removed', rec.id);
  }

  rename(ref: string, newName: string): void {
    const rec = this.resolve(ref);
    const name = checkContainerName(newName);
    if (name === rec.name) throw invalidParameter(`Renaming a container with the same name as its current name`); // 400, as moby
    this.deps.store.rename(rec.id, name);
    this.emit('rename', this.resolve(rec.id), { oldName: `/${rec.name}` });
  }

  /** Resolves with the exit code once the condition holds. */
  waitFor(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const rec = this.deps.store.get(id);
      if (!rec) {
        if (condition === 'removed') return resolve(0);
        return reject(notFound(`No such container: ${id}`));
      }
      // Paused and restarting containers count as running, as Docker's State.Running does.
      const up = isUp(rec.state.status) || rec.state.status === 'restarting';
      if (condition === 'not-running' && !up) return resolve(rec.state.exitCode);
      let lastExit = rec.state.exitCode;
      const cleanup = () => {
        this.events.off('exited', onExit);
        this.events.off('removed', onRemoved);
        signal?.removeEventListener('abort', onAbort);
      };
      const onExit = (exitedId: string, code: number) => {
        if (exitedId !== id) return;
        lastExit = code;
        if (condition !== 'removed') {
          cleanup();
          resolve(code);
        }
      };
      const onRemoved = (removedId: string) => {
        if (removedId !== id) return;
        cleanup();
        if (condition === 'removed') resolve(lastExit);
        else reject(conflict(`container ${id} was removed`));
      };
      const onAbort = () => {
        cleanup();
        reject(new EngineError('Unavailable', 'client went away'));
      };
      this.events.on('exited', onExit);
      this.events.on('removed', onRemoved);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Removes stopped containers that `match` accepts (the API's prune filters); `sizeOf` measures
   * a container's writable layer just before it goes, for SpaceReclaimed.
   */
  async prune(match: (rec: ContainerRecord) => boolean = () => true, sizeOf?: (rec: ContainerRecord) => Promise<number>): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const rec of this.deps.store.all()) {
      if (rec.state.status !== 'exited' && rec.state.status !== 'created' && rec.state.status !== 'dead') continue;
      if (!match(rec)) continue;
      const size = sizeOf ? await sizeOf(rec).catch(() => 0) : 0;
      await this.remove(rec.id).then(
        () => {
          deleted.push(rec.id);
          reclaimed += size;
        },
        () => {},
      );
    }
    return { deleted, reclaimed };
  }

  /** Exits are noticed through the monitor's exit record (inotify), with a liveness check for a crashed monitor. */
  private watchExit(id: string, stateDir: string): void {
    this.unwatch(id);
    const check = () => {
      void this.deps.monitor.readExit(stateDir).then((exit) => {
        if (exit) return this.onExit(id, exit);
        return undefined;
      });
    };
    const watcher = watch(stateDir, (_event, file) => {
      if (file === 'exit.json') check();
    });
    watcher.on('error', () => {});
    const timer = setInterval(() => {
      const rec = this.deps.store.get(id);
      if (!rec || !isUp(rec.state.status)) return;
      if (existsSync(`${stateDir}/exit.json`)) return check();
      if (rec.state.monitorPid && !processAlive(rec.state.monitorPid)) {
        void this.deps.monitor.readExit(stateDir).then(async (exit) => {
          if (!exit) {
            await forceDeleteRuntimeContainer(this.deps.runtimePath, this.deps.runtimeRoot, id);
            await unmountAll(this.paths(id).dir);
          }
          await this.onExit(id, exit ?? { exitCode: 255, finishedAt: rfc3339Nano(), signal: 0 }, exit ? '' : 'container monitor died');
        });
      }
    }, livenessInterval);
    timer.unref();
    this.watchers.set(id, { watcher, timer });
  }

  private unwatch(id: string): void {
    const w = this.watchers.get(id);
    if (!w) return;
    w.watcher.close();
    clearInterval(w.timer);
    this.watchers.delete(id);
  }

  private async onExit(id: string, exit: ContainerExit, error = '', daemonStarting = false): Promise<void> {
    const handled = await this.locks.run(id, async () => {
      const rec = this.deps.store.get(id);
      if (!rec || !isUp(rec.state.status)) return undefined;
      this.unwatch(id);
      const ranForMs = Math.max(0, Date.parse(exit.finishedAt) - Date.parse(rec.state.startedAt));
      const decision = this.decide(rec, exit.exitCode, daemonStarting, ranForMs);
      const restarting = decision.kind !== 'none';
      const state: ContainerState = {
        ...rec.state,
        status: restarting ? 'restarting' : 'exited',
        pid: 0,
        monitorPid: 0,
        exitCode: exit.exitCode,
        finishedAt: exit.finishedAt,
        error,
        oomKilled: exit.oomKilled === true,
      };
      // Docker counts a restart when it is decided, so inspect shows it while waiting; a restart
      // at daemon start is a fresh start and resets the count.
      const restartCount = decision.kind === 'after' ? rec.restartCount + 1 : rec.restartCount;
      this.deps.store.saveState(id, state, restartCount);
      await rm(this.paths(id).stateDir, { recursive: true, force: true });
      await this.runHooks('released', rec);
      return { rec: { ...rec, state, restartCount }, decision, ranForMs };
    });
    if (!handled) return;
    const { rec, decision, ranForMs } = handled;
    this.emit('die', rec, { exitCode: String(exit.exitCode), execDuration: String(Math.floor(ranForMs / 1000)) });
    this.events.emit('exited', id, exit.exitCode);
    if (decision.kind !== 'none') {
      this.scheduleRestart(id, decision);
      return;
    }
    if (rec.spec.host.autoRemove && !this.manualRestarts.has(id)) {
      // --rm removes the container's anonymous volumes too, as dockerd does.
      await this.remove(id, { removeVolumes: true }).catch((err: unknown) => this.deps.log.warn('auto-remove failed', { id, err }));
    }
  }

  private decide(rec: ContainerRecord, exitCode: number, daemonStarting: boolean, ranForMs: number): RestartDecision {
    if (this.manualRestarts.has(rec.id)) return { kind: 'none' };
    return decideRestart(rec.spec.host.restartPolicy, exitCode, {
      manuallyStopped: rec.state.manuallyStopped === true,
      restartCount: rec.restartCount,
      daemonStarting,
      ranForMs,
      previousDelayMs: this.restarts.previousDelay(rec.id),
    });
  }

  private scheduleRestart(id: string, decision: Exclude<RestartDecision, { kind: 'none' }>): void {
    const delayMs = decision.kind === 'after' ? decision.delayMs : 0;
    this.deps.log.debug('restarting container by policy', { id, delayMs });
    this.restarts.schedule(id, delayMs, () => {
      void this.start(id, { byPolicy: true, fresh: decision.kind === 'now' }).catch((err: unknown) =>
        this.deps.log.warn('policy restart failed', { id, err }),
      );
    });
  }

  /**
   * Startup: containers recorded as running are either still running under their monitor (watch
   * them again), or exited while the daemon was away (take the monitor's exit record), or lost.
   */
  async reconcile(): Promise<void> {
    await this.removeOrphanDirs();
    for (const rec of this.deps.store.all()) {
      if (rec.state.status === 'removing') {
        await this.destroy(rec);
        continue;
      }
      if (rec.state.status === 'restarting' || rec.state.status === 'exited') {
        this.restartAtDaemonStart(rec);
        continue;
      }
      if (!isUp(rec.state.status)) continue;
      const p = this.paths(rec.id);
      const exit = await this.deps.monitor.readExit(p.stateDir);
      if (exit) {
        await this.onExit(rec.id, exit, '', true);
        continue;
      }
      const pid = existsSync(p.stateDir) ? await this.deps.monitor.isAlive(p.stateDir) : undefined;
      if (pid !== undefined) {
        this.watchExit(rec.id, p.stateDir);
        this.deps.log.info('reattached to running container', { id: rec.id, pid });
        continue;
      }
      await forceDeleteRuntimeContainer(this.deps.runtimePath, this.deps.runtimeRoot, rec.id);
      await unmountAll(p.dir);
      await this.onExit(rec.id, { exitCode: 255, finishedAt: rfc3339Nano(), signal: 0 }, 'container monitor is gone', true);
    }
  }

  /** A stopped container (or one the daemon left waiting to restart) that its policy wants up again. */
  private restartAtDaemonStart(rec: ContainerRecord): void {
    if (rec.state.startedAt === zeroTime) return; // never started: nothing to restart
    const decision = rec.state.status === 'restarting' ? ({ kind: 'now' } as const) : this.decide(rec, rec.state.exitCode, true, 0);
    if (decision.kind === 'none') return;
    this.deps.store.saveState(rec.id, { ...rec.state, status: 'restarting' });
    this.scheduleRestart(rec.id, { kind: 'now' });
  }

  /** A crash between making a container's directory and recording it leaves a directory nobody owns. */
  private async removeOrphanDirs(): Promise<void> {
    const known = new Set(this.deps.store.all().map((r) => r.id));
    const dir = join(this.deps.dataRoot, 'containers');
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries) {
      if (known.has(name)) continue;
      const p = this.paths(name);
      // Never delete under a live monitor: it still has the root mounted.
      if (existsSync(p.stateDir) && (await this.deps.monitor.isAlive(p.stateDir)) !== undefined) continue;
      await unmountAll(p.dir);
      await rm(p.stateDir, { recursive: true, force: true });
      await rm(p.dir, { recursive: true, force: true });
      this.deps.log.info('removed orphan container directory', { id: name });
    }
  }

  close(): void {
    for (const id of [...this.watchers.keys()]) this.unwatch(id);
    this.restarts.clear();
  }

  /**
   * Records a container event (Docker's attributes: all labels, image, name, plus `extra`).
   * Public for the routes and exec: `recordEvent(rec, 'exec_create: sh -c true', { execID })`.
   */
  recordEvent(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const attributes: Record<string, string> = { ...rec.spec.labels, image: rec.spec.image, name: rec.name, ...extra };
    this.eventLog.record('container', action, rec.id, attributes);
    this.events.emit('event', { action, id: rec.id, attributes });
  }

  private emit(action: string, rec: ContainerRecord, extra: Record<string, string> = {}): void {
    this.recordEvent(rec, action, extra);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
