import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxTarball, findOnPath } from './fixtures.js';
import { mountsUnder } from './leak-check.js';
import { type CommandOptions, type CommandResult, runCommand } from './run-command.js';

/**
 * A private dockerd (Debian's docker.io) used as a test-time oracle and benchmark baseline,
 * never as a dependency: its own data/exec roots and socket under /tmp, and no bridge,
 * iptables or ip6tables (other tests on the machine own the network setup). Started with the
 * same busybox image skiff's tests import. undefined when dockerd is not installed.
 */
export interface PrivateDockerd {
  readonly root: string;
  readonly socket: string;
  docker(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** SIGTERM by pid, waits for exit, unmounts leftovers under its root, deletes the root. */
  stop(): Promise<void>;
}

/** `args`: extra dockerd flags (e.g. --userns-remap=default). */
export async function startPrivateDockerd(opts: { args?: string[] } = {}): Promise<PrivateDockerd | undefined> {
  const dockerd = findOnPath('dockerd');
  const cli = findOnPath('docker');
  if (!dockerd || !cli || process.getuid?.() !== 0) return undefined;
  const root = mkdtempSync('/tmp/skdd-');
  chmodSync(root, 0o711); // dockerd --userns-remap refuses a data root its remapped root cannot reach
  const socket = join(root, 'dd.sock');
  const config = join(root, 'cfg');
  mkdirSync(config);
  writeFileSync(join(config, 'config.json'), '{}\n');
  const logFd = openSync(`${root}.log`, 'w');
  const child: ChildProcess = spawn(
    dockerd,
    [
      '--data-root', join(root, 'dd'), '--exec-root', join(root, 'ddx'), '-H', `unix://${socket}`, '--pidfile', join(root, 'dd.pid'),
      '--bridge=none', '--iptables=false', '--ip6tables=false',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: config };
  for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[k];
  const docker = (args: readonly string[], opts: CommandOptions = {}) => runCommand(cli, args, { ...opts, env: { ...env, ...opts.env } });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      // dockerd keeps user networks (their br-* bridges and routes) on the host after it stops:
      // containers and networks go first, so nothing of the oracle outlives the test.
      const ids = (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await docker(['rm', '-f', ...ids]);
      const nets = (await docker(['network', 'ls', '-q', '--filter', 'type=custom'])).stdout.split('\n').filter(Boolean);
      if (nets.length) await docker(['network', 'rm', ...nets]);
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    }
    for (const m of mountsUnder(root).reverse()) await runCommand('umount', ['-l', m]);
    rmSync(root, { recursive: true, force: true });
    rmSync(`${root}.log`, { force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if ((await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dockerd did not start: ${readFileSync(`${root}.log`, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const imp = await docker(['import', await busyboxTarball(), 'busybox']);
    if (imp.code !== 0) throw new Error(`import into dockerd failed: ${imp.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { root, socket, docker, stop };
}
