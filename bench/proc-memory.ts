// Memory figures straight from procfs: VmRSS (what the targets are stated in) and PSS
// (shared pages divided among their sharers, the fairer per-container figure).
import { readdirSync, readFileSync } from 'node:fs';

/** Live processes whose command line contains every one of `parts` (e.g. a binary and a private root). */
export function processesWith(...parts: string[]): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (parts.every((p) => cmd.includes(p))) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The process's short name (/proc/<pid>/comm), or undefined when it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function kib(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
    return m?.[1] === undefined ? NaN : Number(m[1]);
  } catch {
    return NaN;
  }
}

export const rssMiB = (pid: number): number => kib(pid, 'status', 'VmRSS') / 1024;
export const pssMiB = (pid: number): number => kib(pid, 'smaps_rollup', 'Pss') / 1024;
