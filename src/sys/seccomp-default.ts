import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { EngineError } from '../base/engine-error.js';

/** Debian's golang-github-containers-common ships Docker-format profiles here (Podman's default). */
export const DEFAULT_SECCOMP_PROFILE_PATH = '/usr/share/containers/seccomp.json';

/** The text of a Docker-format seccomp profile; a missing default is a clear start error, never "no filter". */
export function readSeccompProfileText(path: string = DEFAULT_SECCOMP_PROFILE_PATH): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new EngineError(
      'System',
      `cannot read the seccomp profile ${path} (install Debian's golang-github-containers-common, or run with --security-opt seccomp=unconfined): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** The host facts profile conditions depend on: Node's architecture name and the kernel release. */
export function hostSeccompFacts(): { nodeArch: string; kernelRelease: string } {
  return { nodeArch: process.arch, kernelRelease: release() };
}
