// A private dockerd (Debian's docker.io, 20.10) as a test oracle: its own roots, no bridge, no firewall changes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from './fixtures.js';
import { type CommandOptions, type CommandResult, runCommand } from './run-command.js';
import { dockerBinary } from './fixtures.js';

export interface Oracle {
  docker(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  stop(): Promise<void>;
}

export const dockerdBinary = (): string | undefined => findOnPath('dockerd');

export async function startOracle(): Promise<Oracle> {
  const dockerd = dockerdBinary();
  const cli = dockerBinary();
  if (!dockerd || !cli) throw new Error('dockerd or the docker CLI is missing');
  const root = mkdtempSync('/tmp/skf-oracle-');
  const sock = join(root, 'd.sock');
  const fd = openSync(`${root}.log`, 'a');
  let child: ChildProcess;
  try {
    child = spawn(dockerd, [
      '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'd.pid'),
      '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=overlay2',
    ], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_API_VERSION: '1.41', DOCKER_CONFIG: join(root, 'cfg') };
  const docker = (args: readonly string[], opts: CommandOptions = {}) => runCommand(cli, args, { ...opts, env: { ...env, ...opts.env } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (existsSync(sock) && (await docker(['version'])).code === 0) break;
    if (Date.now() > deadline) throw new Error(`dockerd did not start:\n${readFileSync(`${root}.log`, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    docker,
    async stop() {
      const ids = (await docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
      if (ids.length > 0) await docker(['rm', '-f', ...ids]);
      child.kill('SIGTERM');
      await exited;
      // dockerd unmounts its overlays on shutdown; anything left under its roots is ours to detach.
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(root)).sort((a, b) => b.length - a.length);
      for (const m of mounts) await runCommand('umount', ['-l', m]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
