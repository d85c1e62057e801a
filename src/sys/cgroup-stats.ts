/**
 * The reads and the one spawn behind `stats` and `top`: a container's cgroup files, its pids,
 * /proc files, and the host's `ps`. Everything that interprets them is pure and lives in
 * src/container/stats-*.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupDir, parseCgroupLayout, type CgroupLayout } from './cgroup-layout.js';

export type PsResult = { ok: true; stdout: string } | { ok: false; message: string };

export interface StatsHost {
  cgroupVersion(): 1 | 2;
  /** Contents of the named files of a cgroup ("memory.stat" → v1: <memory mount>/<path>/memory.stat); unreadable ones are left out. */
  readCgroupFiles(cgroupsPath: string, names: readonly string[]): Promise<Map<string, string>>;
  /** Every pid in the cgroup and its descendants (empty when the cgroup is gone). */
  cgroupPids(cgroupsPath: string): Promise<number[]>;
  /** A /proc (or other) text file, or undefined when it cannot be read (process gone). */
  readText(path: string): Promise<string | undefined>;
  /** Runs the host's ps; on failure, the first line of its stderr (or the spawn error). */
  ps(args: readonly string[]): Promise<PsResult>;
}

/** Controllers whose hierarchy lists a v1 container's processes, in order of preference. */
const pidControllers = ['pids', 'memory', 'cpu', 'devices', 'freezer'];

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function procsUnder(dir: string, out: Set<number>): Promise<boolean> {
  const text = await readOrUndefined(join(dir, 'cgroup.procs'));
  if (text === undefined) return false;
  for (const l of text.split('\n')) if (/^\d+$/.test(l.trim())) out.add(Number(l.trim()));
  let entries: string[] = [];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    /* removed while walking */
  }
  for (const e of entries) await procsUnder(join(dir, e), out);
  return true;
}

export function createStatsHost(opts: { layout?: CgroupLayout; psPath?: string } = {}): StatsHost {
  let layout = opts.layout;
  const getLayout = (): CgroupLayout => {
    // Read once: mounts of cgroup hierarchies do not change under a running daemon.
    if (layout === undefined) {
      let mountinfo = '';
      try {
        mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
      } catch {
        /* no procfs: assume v2 at the usual place */
      }
      layout = parseCgroupLayout(mountinfo);
    }
    return layout;
  };
  return {
    cgroupVersion: () => getLayout().version,
    async readCgroupFiles(cgroupsPath, names) {
      const l = getLayout();
      const out = new Map<string, string>();
      await Promise.all(
        names.map(async (name) => {
          const controller = name.slice(0, name.indexOf('.'));
          const dir = cgroupDir(l, controller, cgroupsPath);
          if (dir === undefined) return;
          const text = await readOrUndefined(join(dir, name));
          if (text !== undefined) out.set(name, text);
        }),
      );
      return out;
    },
    async cgroupPids(cgroupsPath) {
      const l = getLayout();
      const controllers = l.version === 2 ? [''] : pidControllers;
      for (const c of controllers) {
        const dir = cgroupDir(l, c, cgroupsPath);
        if (dir === undefined) continue;
        const pids = new Set<number>();
        if (await procsUnder(dir, pids)) return [...pids].sort((a, b) => a - b);
      }
      return [];
    },
    readText: readOrUndefined,
    ps(args) {
      return new Promise((resolve) => {
        execFile(opts.psPath ?? 'ps', [...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (!err) return resolve({ ok: true, stdout });
          const first = String(stderr).split('\n')[0] ?? '';
          const code = typeof err.code === 'number' ? `exit status ${err.code}` : err.message;
          resolve({ ok: false, message: first !== '' ? first : code });
        });
      });
    },
  };
}
