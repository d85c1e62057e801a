import { spawn } from 'node:child_process';

/** Runs a command with `input` on stdin; rejects with its stderr when it fails. */
export function runWithInput(cmd: string, args: readonly string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim()}\ninput:\n${input}`));
    });
    child.stdin.on('error', () => {}); // a command that dies early closes its stdin; the exit code tells
    child.stdin.end(input);
  });
}

/** Applies `ip` commands in one process (`ip -batch -`): one spawn per operation, not per step. */
export async function runIpBatch(lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await runWithInput('ip', ['-batch', '-'], lines.join('\n') + '\n');
}

/** Like runIpBatch but continues past failures (teardown of things that may already be gone). */
export async function runIpBatchForce(lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await runWithInput('ip', ['-force', '-batch', '-'], lines.join('\n') + '\n').catch(() => {});
}
