import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { EngineClient } from '../client/engine-client.js';
import { demuxStream } from '../client/demux-stream.js';
import { readText } from '../client/engine-client.js';
import type { CommandContext } from './command.js';

export interface AttachOptions {
  stdin: boolean;
  tty: boolean;
}

/**
 * Hijacks POST /containers/{id}/attach and wires it to the process's stdio: output is
 * demultiplexed (or raw for a TTY), stdin is forwarded raw and half-closed on EOF.
 * Resolves once the upgrade is done; `done` settles when the output stream ends.
 */
export async function attachContainer(
  client: EngineClient,
  ctx: CommandContext,
  id: string,
  opts: AttachOptions,
): Promise<{ socket: Socket; done: Promise<void> }> {
  const socket = await client.hijack(`/containers/${encodeURIComponent(id)}/attach`, {
    query: { stream: true, stdout: true, stderr: true, stdin: opts.stdin ? true : undefined },
  });
  const done = pipeHijacked(ctx, socket, opts);
  if (opts.tty) {
    // The window's size changes reach the container (its initial size came with the create body).
    const stop = watchTerminalSize(ctx, (rows, cols) =>
      client.exec('POST', `/containers/${encodeURIComponent(id)}/resize`, { query: { h: rows, w: cols } }),
    );
    socket.once('close', stop);
  }
  return { socket, done };
}

/** Wires a hijacked stream to stdio: output demultiplexed (raw for a TTY), stdin forwarded raw. */
export function pipeHijacked(ctx: CommandContext, socket: Socket, opts: AttachOptions): Promise<void> {
  const done = opts.tty
    ? new Promise<void>((resolve, reject) => {
        socket.on('data', (d: Buffer) => ctx.stdout.write(d));
        socket.once('end', resolve);
        socket.once('close', () => resolve());
        socket.once('error', reject);
      })
    : demuxStream(socket, (d) => ctx.stdout.write(d), (d) => ctx.stderr.write(d));
  if (opts.stdin) forwardStdin(ctx, socket, opts.tty);
  return done;
}

/**
 * Calls `resize` with the terminal's size on every SIGWINCH (only when stdout is a terminal).
 * Errors are ignored: the process may not exist yet or any more. Returns the unsubscriber.
 */
export function watchTerminalSize(ctx: CommandContext, resize: (rows: number, cols: number) => Promise<unknown>): () => void {
  const out = ctx.stdout as NodeJS.WriteStream;
  if (out.isTTY !== true) return () => {};
  const onWinch = () => {
    if (out.rows > 0 && out.columns > 0) resize(out.rows, out.columns).catch(() => {});
  };
  process.on('SIGWINCH', onWinch);
  return () => process.off('SIGWINCH', onWinch);
}

/** The terminal's size as Docker's ConsoleSize [rows, cols], when stdout is a terminal. */
export function consoleSize(ctx: CommandContext): [number, number] | undefined {
  const out = ctx.stdout as NodeJS.WriteStream;
  return out.isTTY === true && out.rows > 0 && out.columns > 0 ? [out.rows, out.columns] : undefined;
}

function forwardStdin(ctx: CommandContext, socket: Socket, tty: boolean): void {
  const stdin = ctx.stdin as NodeJS.ReadStream;
  const raw = tty && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) {
    stdin.setRawMode(true);
    socket.once('close', () => stdin.setRawMode(false));
  }
  const onData = (d: Buffer) => {
    if (!socket.destroyed) socket.write(d);
  };
  stdin.on('data', onData);
  stdin.once('end', () => {
    // EOF on our stdin closes the container's stdin (StdinOnce) but output keeps flowing
    if (!socket.destroyed) socket.end();
  });
  socket.once('close', () => {
    stdin.removeListener('data', onData);
    stdin.pause();
  });
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message?: string } | null;
}

/**
 * POST /containers/{id}/wait, resolved as soon as the response headers arrive: the caller
 * may start the container only then, and reads the exit status from `result` later.
 */
export async function waitHeaders(
  client: EngineClient,
  id: string,
  condition: string,
): Promise<{ res: IncomingMessage; result: Promise<WaitResult> }> {
  const res = await client.call('POST', `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } });
  const result = readText(res).then((t) => JSON.parse(t) as WaitResult);
  result.catch(() => undefined);
  return { res, result };
}

/** docker's mapping of start errors to exit codes (126 cannot execute, 127 not found). */
export function startErrorCode(message: string): number {
  if (message.includes('executable file not found') || message.includes('no such file or directory')) return 127;
  if (message.includes('permission denied') || message.includes('is a directory')) return 126;
  return 125;
}
