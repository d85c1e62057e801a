import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { dockerBinary, repoRoot, withNodeOnPath } from './fixtures.js';
import { cleanUpLeaks, describeLeaks, findLeaks, isEmpty } from './leak-check.js';
import { type CommandOptions, type CommandResult, runCommand } from './run-command.js';

export type { CommandOptions, CommandResult } from './run-command.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Daemon {
  /** The private directory everything of this daemon lives under. */
  readonly root: string;
  readonly socket: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  /** What a client needs to talk to this daemon (and not to touch the user's docker config). */
  readonly env: { DOCKER_HOST: string; DOCKER_CONFIG: string };
  /** The daemon's pid, or undefined while it is not running. */
  readonly pid: number | undefined;
  /** Runs the real docker CLI against this daemon. */
  docker(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** Runs skiff's own CLI against this daemon. */
  skiff(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** One raw HTTP request to the API socket. */
  api(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Signals the daemon and waits for it to exit (SIGKILL by default: a crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the daemon again on the same data and exec roots (stopping it first if it runs). */
  restart(): Promise<void>;
  /** The last lines the daemon logged, for failure messages. */
  logTail(lines?: number): string;
  /**
   * Removes every container, stops the daemon with SIGTERM and asserts that it exited 0 and
   * left no mounts, runc containers or processes behind; then deletes the private directory.
   * Cleans up by force whatever leaked, and throws listing it. Safe to call twice.
   */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Extra skiffd flags. */
  args?: string[];
  /** How long to wait for `GET /_ping` (default 30 s). */
  startTimeoutMs?: number;
}

export async function startDaemon(opts: DaemonOptions = {}): Promise<Daemon> {
  const repo = repoRoot();
  // Short paths: a unix socket path must fit in 107 bytes.
  const root = mkdtempSync('/tmp/skf-');
  // Traversable by others (not listable): a daemon with --userns-remap needs its remapped root to reach the data root.
  chmodSync(root, 0o711);
  const dataRoot = join(root, 'data');
  const execRoot = join(root, 'exec');
  const socket = join(execRoot, 'skiff.sock');
  const dockerConfig = join(root, 'docker-config');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');
  // The log lives beside the root so it survives the root's removal when a test fails.
  const logPath = `${root}.log`;
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dockerConfig };
  const clientEnv = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env, SKIFF_HOST: env.DOCKER_HOST, ...extra };
    for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete e[k];
    return e;
  };

  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({
    code: null,
    signal: null,
  });
  let stopped = false;
  // Set while the harness itself signals the daemon, so an exit it didn't ask for is reported.
  let expectingExit = false;
  const crashes: string[] = [];

  const launch = async (): Promise<void> => {
    const fd = openSync(logPath, 'a');
    try {
      // Run as installed: the executable itself, so its shebang's node flags apply.
      child = spawn(join(repo, 'bin', 'skiffd'), ['--data-root', dataRoot, '--exec-root', execRoot, '-H', env.DOCKER_HOST, ...(opts.args ?? [])], {
        stdio: ['ignore', fd, fd],
        cwd: repo,
        env: withNodeOnPath(),
      });
    } finally {
      closeSync(fd);
    }
    const c = child;
    exited = new Promise((resolve) => c.once('exit', (code, signal) => resolve({ code, signal })));
    c.once('exit', (code, signal) => {
      if (child === c) child = undefined;
      if (!expectingExit) crashes.push(`skiffd exited by itself with ${code ?? signal} (not killed by the test)`);
      expectingExit = false;
    });
    await waitForPing(opts.startTimeoutMs ?? 30_000);
  };

  const api = (method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<ApiResponse> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: socket,
          method,
          path,
          headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (b: Buffer) => chunks.push(b));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });

  const logTail = (lines = 40): string => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '(no log)';
    }
  };

  async function waitForPing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child === undefined) throw new Error(`skiffd exited before answering /_ping; its log:\n${logTail()}`);
      try {
        const r = await api('GET', '/_ping');
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`skiffd did not answer /_ping within ${timeoutMs} ms; its log:\n${logTail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const c = child;
    if (c === undefined) return;
    expectingExit = true;
    c.kill(signal);
    // A daemon that ignores a polite signal must not hang the test run.
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  const daemon: Daemon = {
    root,
    socket,
    dataRoot,
    execRoot,
    env,
    get pid() {
      return child?.pid;
    },
    docker(args, o = {}) {
      const bin = dockerBinary();
      if (bin === undefined) return Promise.reject(new Error('the docker CLI is not installed'));
      return runCommand(bin, args, { ...o, env: clientEnv(o.env) });
    },
    skiff(args, o = {}) {
      return runCommand(process.execPath, [join(repo, 'bin', 'skiff'), ...args], { ...o, env: clientEnv(o.env) });
    },
    api,
    kill,
    async restart() {
      await kill('SIGTERM');
      await launch();
    },
    logTail,
    async stop() {
      if (stopped) return;
      stopped = true;
      const problems: string[] = [...crashes];
      if (child !== undefined) {
        problems.push(...(await removeAllContainers(api)));
        const c = child;
        expectingExit = true;
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
        const { code, signal } = await exited;
        clearTimeout(timer);
        if (code !== 0) problems.push(`skiffd exited with ${code ?? signal} after SIGTERM, expected 0`);
      }
      const leaks = await findLeaks(root, execRoot);
      problems.push(...describeLeaks(leaks));
      const left = isEmpty(leaks) ? leaks : await cleanUpLeaks(root, execRoot, leaks);
      // Never rm -r through a mount: a bind mount would take host files with it.
      if (left.mounts.length === 0) rmSync(root, { recursive: true, force: true });
      else problems.push(`left ${root} in place: still mounted: ${left.mounts.join(', ')}`);
      if (problems.length > 0) {
        throw new Error(`skiffd did not shut down cleanly:\n  ${problems.join('\n  ')}\nlog (${logPath}):\n${logTail()}`);
      }
      rmSync(logPath, { force: true });
    },
  };

  try {
    await launch();
  } catch (e) {
    await kill('SIGKILL');
    const leaks = await findLeaks(root, execRoot);
    const left = await cleanUpLeaks(root, execRoot, leaks);
    if (left.mounts.length === 0) rmSync(root, { recursive: true, force: true });
    rmSync(logPath, { force: true }); // its tail is in the error
    throw e;
  }
  return daemon;
}

/** Force-removes every container so the leak check sees what removal leaves behind. */
async function removeAllContainers(
  api: (method: string, path: string) => Promise<ApiResponse>,
): Promise<string[]> {
  const problems: string[] = [];
  try {
    const list = await api('GET', '/containers/json?all=1');
    if (list.status !== 200) return [`GET /containers/json?all=1 answered ${list.status}: ${list.body}`];
    for (const c of JSON.parse(list.body) as { Id: string }[]) {
      const r = await api('DELETE', `/containers/${c.Id}?force=1&v=1`);
      if (r.status !== 204) problems.push(`DELETE /containers/${c.Id}?force=1 answered ${r.status}: ${r.body}`);
    }
  } catch (e) {
    problems.push(`could not remove containers: ${(e as Error).message}`);
  }
  return problems;
}
