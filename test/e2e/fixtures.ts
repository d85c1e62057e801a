import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.js';

/** The checkout this file belongs to (works from test/e2e and from dist/test/e2e). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'skiff') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the skiff checkout above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** The real docker CLI, or undefined when it isn't installed. */
export function dockerBinary(): string | undefined {
  return findOnPath('docker');
}

/** The environment with this test's node first on PATH, for executables whose shebang runs `node`. */
export function withNodeOnPath(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: [dirname(process.execPath), env['PATH'] ?? ''].join(delimiter) };
}

export function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/local/bin', '/usr/bin', '/usr/sbin']);
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

let busybox: Promise<string> | undefined;

/**
 * The busybox rootfs tarball from scripts/make-busybox-rootfs, built once and kept in a cache
 * directory keyed by the script and the busybox binary, so reruns skip the build.
 */
export function busyboxTarball(): Promise<string> {
  busybox ??= (async () => {
    const script = join(repoRoot(), 'scripts', 'make-busybox-rootfs');
    const key = createHash('sha256')
      .update(readFileSync(script))
      .update(String(statSync('/bin/busybox').size))
      .digest('hex')
      .slice(0, 16);
    const dir = '/tmp/skiff-e2e-cache';
    mkdirSync(dir, { recursive: true });
    const tar = join(dir, `busybox-${key}.tar`);
    if (!existsSync(tar)) {
      const r = await runCommand(script, [tar]);
      if (r.code !== 0) throw new Error(`make-busybox-rootfs failed (${r.code}): ${r.stderr}`);
    }
    return tar;
  })();
  return busybox;
}
