// The engines the suite compares, behind one shape: a docker CLI bound to the engine, the
// processes that make up its daemon (for idle RSS) and its per-container processes (for memory
// per container). skiffd comes from the e2e harness (private roots, leak-checked stop); dockerd
// from the one private-dockerd helper (private roots, --bridge=none --iptables=false
// --ip6tables=false, so the shared host's firewall and bridges are never touched).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, repoRoot } from '../test/e2e/fixtures.js';
import { startDaemon } from '../test/e2e/harness.js';
import { startPrivateDockerd } from '../test/e2e/private-dockerd.js';
import type { CommandOptions, CommandResult } from '../test/e2e/run-command.js';
import { commOf, processesWith } from './proc-memory.js';

export type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

export interface BenchEngine {
  readonly name: 'skiff' | 'dockerd';
  /** The real docker CLI pointed at this engine. */
  readonly docker: Cli;
  /** skiff's own CLI (skiff only). */
  readonly skiff?: Cli;
  readonly version: string;
  /** What the per-container process is called, for the table ("skiff-monitor", "containerd-shim"). */
  readonly monitorName: string;
  /** The daemon's own processes: skiffd; dockerd and the containerd it supervises. */
  daemonProcesses(): Array<{ pid: number; name: string }>;
  /** One process per running container: skiff-monitor; containerd-shim-runc-v2. */
  monitorPids(): number[];
  stop(): Promise<void>;
}

/** Runs the CLI and throws with its stderr unless it exits 0; resolves stdout. */
export async function must(cli: Cli, args: readonly string[], opts: CommandOptions = {}): Promise<string> {
  const r = await cli(args, { timeoutMs: 600_000, ...opts });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(-500)}`);
  return r.stdout;
}

async function serverVersion(cli: Cli): Promise<string> {
  const r = await cli(['version', '--format', '{{.Server.Version}}']);
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}

const skiffVersion = (): string => (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';

export async function startSkiff(busybox: string): Promise<BenchEngine> {
  const d = await startDaemon();
  try {
    await must(d.docker, ['import', busybox, 'busybox']);
  } catch (e) {
    await d.stop().catch(() => undefined);
    throw e;
  }
  return {
    name: 'skiff',
    docker: d.docker,
    skiff: d.skiff,
    // skiffd answers /version with the Docker version it is compatible with; say both.
    version: `${skiffVersion()} (API of Docker ${await serverVersion(d.docker)})`,
    monitorName: 'skiff-monitor',
    daemonProcesses: () => (d.pid === undefined ? [] : [{ pid: d.pid, name: 'skiffd' }]),
    monitorPids: () => processesWith('skiff-monitor', d.execRoot),
    stop: () => d.stop(),
  };
}

/** A private dockerd with busybox imported, or undefined when Debian's docker.io is not installed. */
export async function startDockerd(): Promise<BenchEngine | undefined> {
  const d = await startPrivateDockerd();
  if (d === undefined) return undefined;
  const dockerdPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(d.root, 'dd.pid'), 'utf8').trim());
    } catch {
      return undefined;
    }
  };
  return {
    name: 'dockerd',
    docker: d.docker,
    version: await serverVersion(d.docker),
    monitorName: 'containerd-shim-runc-v2',
    daemonProcesses: () => {
      const pid = dockerdPid();
      // dockerd 20.10 supervises its own containerd under its exec root (no system containerd here).
      const containerd = processesWith('containerd', d.root).filter((p) => commOf(p) === 'containerd');
      return [...(pid === undefined ? [] : [{ pid, name: 'dockerd' }]), ...containerd.map((p) => ({ pid: p, name: 'containerd' }))];
    },
    monitorPids: () => processesWith('containerd-shim', d.root).filter((p) => commOf(p)?.startsWith('containerd-shim') === true),
    stop: () => d.stop(),
  };
}

/** Podman is compared only when installed; this host has none, and the suite says so. */
export const podmanInstalled = (): boolean => findOnPath('podman') !== undefined;
