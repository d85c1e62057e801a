import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { systemError } from '../base/engine-error.js';

const run = promisify(execFile);

/**
 * A private, temporary overlay mount of a stopped container's root (its layers under its upper
 * dir), for `docker cp` and `docker export` when the monitor has not mounted it. mount(2) takes
 * at most one page of options, so paths are given relative to their common directory (overlayfs
 * resolves them against the mounting process's cwd), as the monitor does.
 */
export interface OverlayLayers {
  lowerDirs: readonly string[];
  upperDir: string;
  workDir: string;
}

function commonDir(paths: readonly string[]): string {
  const split = paths.map((p) => p.split(sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

export async function mountOverlay(target: string, layers: OverlayLayers): Promise<void> {
  await fsp.mkdir(target, { recursive: true });
  // An image without layers still needs a lower dir: an empty one beside the mount point.
  const lowers = layers.lowerDirs.length > 0 ? [...layers.lowerDirs] : [`${target}.empty`];
  if (layers.lowerDirs.length === 0) await fsp.mkdir(lowers[0] as string, { recursive: true });
  const cwd = commonDir([...lowers, layers.upperDir, layers.workDir]);
  const rel = (p: string) => relative(cwd, p) || '.';
  const opts = `lowerdir=${lowers.map(rel).join(':')},upperdir=${rel(layers.upperDir)},workdir=${rel(layers.workDir)}`;
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, target], { cwd });
  } catch (err) {
    throw systemError(`mount overlay on ${target}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`, err);
  }
}

export async function unmountOverlay(target: string): Promise<void> {
  await run('umount', [target]).catch(() => run('umount', ['-l', target]).catch(() => {}));
  await fsp.rmdir(target).catch(() => {});
  await fsp.rmdir(`${target}.empty`).catch(() => {});
}
