import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Kills and deletes a runtime container whose monitor is gone (a recovery path only: normally the
 * monitor deletes it). Errors are ignored: "does not exist" is the common, good outcome.
 */
export async function forceDeleteRuntimeContainer(runtimePath: string, runtimeRoot: string, id: string): Promise<void> {
  await run(runtimePath, ['--root', runtimeRoot, 'delete', '--force', id]).catch(() => {});
}
