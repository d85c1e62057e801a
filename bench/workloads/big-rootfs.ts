// A rootfs tarball of a chosen size: busybox plus /data filled half with random bytes
// (incompressible, like binaries and media) and half with text (compressible), so that push,
// which gzips, is neither flattered nor punished by the content.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../test/e2e/run-command.js';

const MiB = 1024 * 1024;

/** 1 MiB of numbered text lines; `seed` keeps files distinct so no two layers dedupe. */
export function textMiB(seed: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < MiB; i++) {
    const l = `${seed} ${i} the quick brown fox jumps over the lazy dog ${(i * 7919) % 10007}\n`;
    lines.push(l);
    size += l.length;
  }
  return Buffer.from(lines.join('')).subarray(0, MiB);
}

/** Writes `dir/rootfs.tar`: the busybox rootfs plus `mib` MiB of data files; returns its path. */
export async function makeBigRootfs(busyboxTar: string, dir: string, mib: number): Promise<string> {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'data'), { recursive: true });
  const x = await runCommand('tar', ['-xf', busyboxTar, '-C', root]);
  if (x.code !== 0) throw new Error(`tar -x of busybox: ${x.stderr}`);
  for (let i = 0; i < mib; i++) {
    writeFileSync(join(root, 'data', `f${i}`), i % 2 === 0 ? randomBytes(MiB) : textMiB(i));
  }
  const out = join(dir, 'rootfs.tar');
  const c = await runCommand('tar', ['-cf', out, '-C', root, '.'], { timeoutMs: 300_000 });
  if (c.code !== 0) throw new Error(`tar -c: ${c.stderr}`);
  return out;
}
