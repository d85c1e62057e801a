import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { networkTag, isOwnInterface } from '../../src/network/net-names.js';
import { runCommand } from './run-command.js';

/** What a stopped daemon left behind under a test's private root. */
export interface Leaks {
  /** Mount points under the root, deepest first (the order to unmount them in). */
  mounts: string[];
  /** runc container IDs still known to runc under `<execRoot>/runc`. */
  runcContainers: string[];
  /** Live processes whose command line mentions the root (monitors carry their state dir). */
  processes: { pid: number; cmdline: string }[];
  /** Network interfaces (bridges, veths) named with this daemon's tag. */
  interfaces: string[];
  /** This daemon's nftables table, if it is still there. */
  nftTables: string[];
}

export function isEmpty(l: Leaks): boolean {
  return l.mounts.length === 0 && l.runcContainers.length === 0 && l.processes.length === 0 && l.interfaces.length === 0 && l.nftTables.length === 0;
}

export function describeLeaks(l: Leaks): string[] {
  return [
    ...l.mounts.map((m) => `mount left behind: ${m}`),
    ...l.runcContainers.map((c) => `runc container left behind: ${c}`),
    ...l.processes.map((p) => `process left behind: ${p.pid} ${p.cmdline}`),
    ...l.interfaces.map((i) => `network interface left behind: ${i}`),
    ...l.nftTables.map((t) => `nftables table left behind: ${t}`),
  ];
}

export async function findLeaks(root: string, execRoot: string): Promise<Leaks> {
  return {
    mounts: mountsUnder(root),
    runcContainers: await runcContainers(execRoot),
    processes: processesMentioning(root),
    interfaces: ownInterfaces(execRoot),
    nftTables: await ownNftTables(execRoot),
  };
}

function ownInterfaces(execRoot: string): string[] {
  const tag = networkTag(execRoot);
  return readdirSync('/sys/class/net').filter((name) => isOwnInterface(tag, name));
}

async function ownNftTables(execRoot: string): Promise<string[]> {
  const tag = networkTag(execRoot);
  const r = await runCommand('nft', ['list', 'tables'], { timeoutMs: 15_000 });
  if (r.code !== 0) return [];
  // ip: the IPv4 table; ip6: its twin while some network has IPv6 (network/nft-ruleset6.ts).
  return r.stdout.split('\n').filter((line) => line.trim() === `table ip ${tag}` || line.trim() === `table ip6 ${tag}`);
}

/** Mount points at or below `root` in this process's mount table, deepest first. */
export function mountsUnder(root: string): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point === root || point.startsWith(root + '/')) found.push(point);
  }
  return found.sort((a, b) => b.length - a.length);
}

async function runcContainers(execRoot: string): Promise<string[]> {
  const r = await runCommand('runc', ['--root', join(execRoot, 'runc'), 'list', '-q'], { timeoutMs: 15_000 });
  if (r.code !== 0) return [`(runc list failed: ${r.stderr.trim()})`];
  return r.stdout.split('\n').filter((s) => s !== '');
}

function processesMentioning(root: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // exited while we looked
    }
    if (cmdline.includes(root)) found.push({ pid, cmdline });
  }
  return found;
}

/**
 * Best-effort removal of leaks so one failing test doesn't poison the machine for the next:
 * kill processes, force-delete runc containers, lazily unmount. Returns what could not be cleaned.
 */
export async function cleanUpLeaks(root: string, execRoot: string, leaks: Leaks): Promise<Leaks> {
  for (const p of leaks.processes) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const runcRoot = join(execRoot, 'runc');
  for (const id of leaks.runcContainers) {
    if (id.startsWith('(')) continue;
    await runCommand('runc', ['--root', runcRoot, 'kill', id, 'KILL'], { timeoutMs: 15_000 }).catch(() => undefined);
    await runCommand('runc', ['--root', runcRoot, 'delete', '--force', id], { timeoutMs: 15_000 }).catch(() => undefined);
  }
  await new Promise((r) => setTimeout(r, 200)); // let killed monitors release their mounts
  for (const m of mountsUnder(root)) {
    await runCommand('umount', ['-l', m], { timeoutMs: 15_000 }).catch(() => undefined);
  }
  for (const name of leaks.interfaces) {
    await runCommand('ip', ['link', 'delete', name], { timeoutMs: 15_000 }).catch(() => undefined);
  }
  for (const table of leaks.nftTables) {
    await runCommand('nft', ['delete', ...table.trim().split(' ')], { timeoutMs: 15_000 }).catch(() => undefined);
  }
  return findLeaks(root, execRoot);
}
