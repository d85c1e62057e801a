/**
 * Driver for skiff-monitor (src/monitor/skiff-monitor.c), the small C process that is the
 * parent of a container's init. skiffd starts one per container and then talks to it only
 * through files in the container's state dir: monitor.sock (commands), pid, exit.json.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { conflict, errnoCode, invalidParameter, isEngineError, systemError } from '../base/engine-error.js';
import { connectMonitor, monitorRequest } from './monitor-socket.js';

export interface MonitorStartOptions {
  id: string;
  runtimePath: string;
  runtimeRoot: string;
  bundleDir: string;
  overlay?: { rootfs: string; lowerDirs: string[] /* top first */; upperDir: string; workDir: string };
  logPath: string;
  stateDir: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  monitorPath?: string;
  /** The json-file log's size cap (0: unbounded) and file count; the driver's limits when unset. */
  logMaxSize?: number;
  logMaxFiles?: number;
}

/** One process started in a running container (`runc exec`), under a monitor of its own. */
export interface MonitorExecOptions {
  /** The container's ID as the runtime knows it. */
  containerId: string;
  runtimePath: string;
  runtimeRoot: string;
  /** An OCI runtime-spec `process` object, written as JSON. */
  processPath: string;
  logPath: string;
  stateDir: string;
  stdin: boolean;
  tty: boolean;
  monitorPath?: string;
  logMaxSize?: number;
  logMaxFiles?: number;
}

export interface LogLimits {
  /** Bytes per file; 0 means unbounded. */
  maxSize: number;
  maxFiles: number;
}

/**
 * Docker's json-file default is unbounded, which fills disks; skiff caps every log at
 * 10 MiB × 3 files unless `--log-opt max-size/max-file` say otherwise.
 */
export const defaultLogLimits: LogLimits = { maxSize: 10 * 1024 * 1024, maxFiles: 3 };

export interface MonitorDriverOptions {
  /** A container's log limits (from its LogConfig), by container ID; `defaultLogLimits` when undefined. */
  logLimits?(containerId: string): LogLimits | undefined;
}
/** `pid` is the container's init as the host sees it. */
export interface MonitorStarted {
  pid: number;
  monitorPid: number;
}
export interface ContainerExit {
  exitCode: number;
  finishedAt: string;
  signal: number;
  /** The kernel OOM-killed a process of the container's memory cgroup (read by the monitor before removing it). */
  oomKilled?: boolean;
}
export interface MonitorDriver {
  /** Spawns the monitor detached and waits until the container runs; rejects with the runtime's error text. */
  start(o: MonitorStartOptions): Promise<MonitorStarted>;
  /** Starts `runc exec --detach` under a monitor; `pid` is the exec'd process. Rejects with the runtime's error text. */
  startExec(o: MonitorExecOptions): Promise<MonitorStarted>;
  kill(stateDir: string, signal: number): Promise<void>;
  resize(stateDir: string, rows: number, cols: number): Promise<void>;
  /** A socket whose bytes go to the container's stdin; ending it closes stdin when started with stdinOnce. */
  openStdin(stateDir: string): Promise<Socket>;
  readExit(stateDir: string): Promise<ContainerExit | undefined>;
  /** The container's pid while its monitor runs, else undefined. */
  isAlive(stateDir: string): Promise<number | undefined>;
}

/** dist/src/sys/monitor.js → <package root>/src/monitor/skiff-monitor */
export const defaultMonitorPath = fileURLToPath(new URL('../../../src/monitor/skiff-monitor', import.meta.url));

export function monitorArgs(o: MonitorStartOptions): string[] {
  const args = ['--id', o.id, '--runtime', o.runtimePath, '--runtime-root', o.runtimeRoot, '--bundle', o.bundleDir];
  if (o.overlay) {
    const { rootfs, lowerDirs, upperDir, workDir } = o.overlay;
    // overlayfs splits its options on ',' and lowerdir on ':'; such paths cannot be expressed.
    for (const p of [...lowerDirs, upperDir, workDir]) {
      if (/[,:]/.test(p)) throw invalidParameter(`overlay path contains ',' or ':': ${p}`);
    }
    if (lowerDirs.length === 0) throw invalidParameter('overlay needs at least one lower directory');
    args.push('--overlay-rootfs', rootfs);
    args.push('--overlay-options', `lowerdir=${lowerDirs.join(':')},upperdir=${upperDir},workdir=${workDir}`);
  }
  args.push('--log', o.logPath, '--state-dir', o.stateDir, '--sync-fd', '3');
  if (o.stdin) args.push('--stdin');
  if (o.stdinOnce) args.push('--stdin-once');
  if (o.tty) args.push('--tty');
  args.push(...logLimitArgs(o.logMaxSize, o.logMaxFiles));
  return args;
}

function logLimitArgs(maxSize: number | undefined, maxFiles: number | undefined): string[] {
  if (!maxSize || maxSize <= 0) return [];
  return ['--log-max-size', String(Math.trunc(maxSize)), '--log-max-files', String(Math.max(1, Math.trunc(maxFiles ?? 1)))];
}

/** An exec's stdin is always closed when its client's input ends (Docker's exec has no StdinOnce switch). */
export function monitorExecArgs(o: MonitorExecOptions): string[] {
  const args = ['--exec', '--id', o.containerId, '--runtime', o.runtimePath, '--runtime-root', o.runtimeRoot];
  args.push('--process', o.processPath, '--log', o.logPath, '--state-dir', o.stateDir, '--sync-fd', '3');
  if (o.stdin) args.push('--stdin', '--stdin-once');
  if (o.tty) args.push('--tty');
  args.push(...logLimitArgs(o.logMaxSize, o.logMaxFiles));
  return args;
}

/** Read the single sync line ("ok <pid>" / "error <text>") the monitor writes on fd 3. */
function readSyncLine(stream: Readable): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const done = (line: string | undefined) => {
      stream.removeAllListeners();
      stream.on('error', () => {});
      stream.destroy();
      resolve(line);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) done(text.slice(0, nl));
    });
    stream.on('end', () => done(text === '' ? undefined : text));
    stream.on('error', () => done(text === '' ? undefined : text));
  });
}

function start(o: MonitorStartOptions): Promise<MonitorStarted> {
  return spawnMonitor(o.monitorPath, monitorArgs(o), o.stateDir);
}

function startExec(o: MonitorExecOptions): Promise<MonitorStarted> {
  return spawnMonitor(o.monitorPath, monitorExecArgs(o), o.stateDir);
}

async function spawnMonitor(monitorPath: string | undefined, args: string[], stateDir: string): Promise<MonitorStarted> {
  await mkdir(stateDir, { recursive: true });
  const child = spawn(monitorPath ?? defaultMonitorPath, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(systemError(`cannot start container monitor: ${err.message}`, err)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await spawned;
  child.unref();
  const sync = child.stdio[3] as Readable | null;
  if (!sync) throw systemError('container monitor has no sync pipe');
  const line = await readSyncLine(sync);
  if (line?.startsWith('ok ')) {
    const pid = Number(line.slice(3));
    if (!Number.isInteger(pid) || pid <= 0) throw systemError(`container monitor reported a bad pid: ${line}`);
    return { pid, monitorPid: child.pid ?? 0 };
  }
  if (line?.startsWith('error ')) throw systemError(line.slice(6).trim());
  const code = await exited;
  throw systemError(`container monitor exited (status ${code ?? 'signal'}) without reporting a result`);
}

async function kill(stateDir: string, signal: number): Promise<void> {
  const reply = await monitorRequest(stateDir, `kill ${signal}`);
  if (reply === 'ok') return;
  const text = reply.replace(/^error /, '');
  if (text === 'container is not running') throw conflict(text);
  throw systemError(`cannot signal container: ${text}`);
}

async function resize(stateDir: string, rows: number, cols: number): Promise<void> {
  const reply = await monitorRequest(stateDir, `resize ${Math.trunc(rows)} ${Math.trunc(cols)}`);
  if (reply !== 'ok') throw conflict(`cannot resize: ${reply.replace(/^error /, '')}`);
}

async function openStdin(stateDir: string): Promise<Socket> {
  const sock = await connectMonitor(stateDir);
  sock.write('stdin\n');
  return sock;
}

function isExit(v: unknown): v is ContainerExit {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.exitCode === 'number' && typeof r.finishedAt === 'string' && typeof r.signal === 'number';
}

async function readExit(stateDir: string): Promise<ContainerExit | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, 'exit.json'), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw systemError(`cannot read exit record: ${String(err)}`, err);
  }
  const parsed: unknown = JSON.parse(text);
  if (!isExit(parsed)) throw systemError(`malformed exit record in ${stateDir}`);
  const oomKilled = (parsed as { oomKilled?: unknown }).oomKilled === true;
  return { exitCode: parsed.exitCode, finishedAt: parsed.finishedAt, signal: parsed.signal, ...(oomKilled ? { oomKilled } : {}) };
}

async function isAlive(stateDir: string): Promise<number | undefined> {
  try {
    const reply = await monitorRequest(stateDir, 'ping', 2000);
    const m = /^ok (\d+)$/.exec(reply);
    return m?.[1] ? Number(m[1]) : undefined;
  } catch (err) {
    if (isEngineError(err, 'NotFound')) return undefined;
    throw err;
  }
}

export function createMonitorDriver(opts: MonitorDriverOptions = {}): MonitorDriver {
  const withLimits = <T extends { logMaxSize?: number; logMaxFiles?: number }>(o: T, id: string): T => {
    if (o.logMaxSize !== undefined) return o;
    const limits = opts.logLimits?.(id) ?? defaultLogLimits;
    return { ...o, logMaxSize: limits.maxSize, logMaxFiles: limits.maxFiles };
  };
  return {
    start: (o) => start(withLimits(o, o.id)),
    startExec: (o) => startExec(withLimits(o, o.containerId)),
    kill,
    resize,
    openStdin,
    readExit,
    isAlive,
  };
}
