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
}
export interface MonitorDriver {
  /** Spawns the monitor detached and waits until the container runs; rejects with the runtime's error text. */
  start(o: MonitorStartOptions): Promise<MonitorStarted>;
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

async function start(o: MonitorStartOptions): Promise<MonitorStarted> {
  const args = monitorArgs(o);
  await mkdir(o.stateDir, { recursive: true });
  const child = spawn(o.monitorPath ?? defaultMonitorPath, args, {
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
  return { exitCode: parsed.exitCode, finishedAt: parsed.finishedAt, signal: parsed.signal };
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

export function createMonitorDriver(): MonitorDriver {
  return { start, kill, resize, openStdin, readExit, isAlive };
}
