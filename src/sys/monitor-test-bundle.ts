/**
 * Test fixtures for the monitor's integration tests: a busybox rootfs made from Debian's
 * busybox-static and OCI bundles derived from `runc spec`. Used only by tests, never by skiffd.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const busyboxBinary = '/usr/bin/busybox';
export const runcBinary = '/usr/sbin/runc';
const applets = ['sh', 'echo', 'sleep', 'cat', 'stty', 'test'];

/** A directory holding /bin/busybox and a few applet symlinks. */
export function makeBusyboxRootfs(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const d of ['proc', 'dev', 'sys', 'tmp', 'etc']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(busyboxBinary, join(dir, 'bin', 'busybox'));
  execFileSync('chmod', ['0755', join(dir, 'bin', 'busybox')]);
  for (const a of applets) if (!existsSync(join(dir, 'bin', a))) symlinkSync('busybox', join(dir, 'bin', a));
}

/** `runc spec` output, read once from a scratch dir. */
export function runcSpecTemplate(scratch: string): Record<string, unknown> {
  mkdirSync(scratch, { recursive: true });
  execFileSync(runcBinary, ['spec'], { cwd: scratch });
  return JSON.parse(readFileSync(join(scratch, 'config.json'), 'utf8')) as Record<string, unknown>;
}

interface SpecShape {
  process: { terminal: boolean; args: string[]; env?: string[] };
  root: { path: string; readonly: boolean };
  linux: { namespaces: { type: string }[] };
}

/** Write <bundleDir>/config.json running `args` in `rootfs` (absolute), adapted from the template. */
export function writeBundle(
  template: Record<string, unknown>,
  bundleDir: string,
  rootfs: string,
  args: string[],
  opts: { terminal?: boolean; dropNamespaces?: string[] } = {},
): void {
  const drop = new Set(['network', ...(opts.dropNamespaces ?? [])]);
  const spec = structuredClone(template) as unknown as SpecShape;
  spec.process.terminal = opts.terminal ?? false;
  spec.process.args = args;
  spec.process.env = ['PATH=/bin', 'TERM=xterm'];
  spec.root = { path: rootfs, readonly: false };
  spec.linux.namespaces = spec.linux.namespaces.filter((n) => !drop.has(n.type));
  mkdirSync(bundleDir, { recursive: true });
  writeFileSync(join(bundleDir, 'config.json'), JSON.stringify(spec, null, 2));
}
