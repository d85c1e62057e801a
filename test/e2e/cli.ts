import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { dockerBinary } from './fixtures.js';
import type { CommandOptions, CommandResult, Daemon } from './harness.js';

export type ClientName = 'docker' | 'skiff';
export type Cli = (args: readonly string[], opts?: CommandOptions) => Promise<CommandResult>;

/** The CLI to drive a daemon with: the real docker CLI when it is installed, else skiff's. */
export function preferredClient(): ClientName {
  return dockerBinary() === undefined ? 'skiff' : 'docker';
}

export function cliFor(d: Daemon, client: ClientName): Cli {
  return client === 'docker' ? d.docker : d.skiff;
}

/** Asserts a command succeeded and returns its stdout; the message carries both streams. */
export function ok(r: CommandResult, what = 'command'): string {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Asserts a command failed with `code` and that stderr contains `text`. */
export function fails(r: CommandResult, code: number, text: string | RegExp): void {
  const detail = `\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}${detail}`);
  if (typeof text === 'string') assert.ok(r.stderr.includes(text), `stderr lacks ${JSON.stringify(text)}${detail}`);
  else assert.match(r.stderr, text, detail);
}

const known = new Map<string, boolean>();

/**
 * True when the CLI has the (sub)command; for skiff's CLI it asks `--help`, and skips the test
 * when the command isn't there yet. The docker CLI has them all.
 */
export async function supports(t: TestContext, d: Daemon, client: ClientName, ...command: string[]): Promise<boolean> {
  if (client === 'docker') return true;
  const key = command.join(' ');
  let has = known.get(key);
  if (has === undefined) {
    const r = await d.skiff([...command, '--help']);
    has = r.code === 0 && !/unknown command/i.test(r.stderr + r.stdout);
    known.set(key, has);
  }
  if (!has) t.skip(`skiff has no "${key}" command`);
  return has;
}

/** Waits until a container's log (read through the API, whatever the CLI) contains `text`. */
export async function waitForLog(d: Daemon, name: string, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await d.api('GET', `/containers/${name}/logs?stdout=1&stderr=1`);
    if (r.status === 200 && r.body.includes(text)) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`container ${name} did not log ${JSON.stringify(text)} within ${timeoutMs} ms`);
}

/** Full IDs of all containers, running or not. */
export async function allContainerIds(cli: Cli): Promise<string[]> {
  const out = ok(await cli(['ps', '-aq', '--no-trunc']), 'ps -aq --no-trunc');
  return out.split('\n').filter((s) => s !== '');
}
