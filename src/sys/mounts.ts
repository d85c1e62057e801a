import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points at or below `prefix`, from /proc/self/mountinfo (octal escapes decoded). */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const base = prefix.replace(/\/+$/, '');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === base || p.startsWith(base + '/'));
}

/**
 * Detaches whatever is mounted at or below `prefix`, deepest first. Only on recovery paths (a
 * monitor that died without cleaning up), so spawning umount(8) is acceptable here.
 */
export async function unmountAll(prefix: string): Promise<void> {
  const mounts = (await mountsUnder(prefix)).sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => {});
}
