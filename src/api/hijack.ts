import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { RequestContext } from './request-context.js';

export const multiplexedStream = 'application/vnd.docker.multiplexed-stream';
export const rawStream = 'application/vnd.docker.raw-stream';

/** A taken-over connection: `output` gets the container's bytes, `input` yields what the client sends. */
export interface HijackedConnection {
  output: Writable;
  input: Readable;
  /** Ends the response (and for an upgraded socket, the connection). Idempotent. */
  close(): void;
}

/**
 * Answers an attach-like request: `101 UPGRADED` on the raw socket when the client asked for an
 * upgrade (the docker CLI insists on 101), otherwise a plain streaming 200 (dockerode without hijack).
 * `leftover` is whatever the client sent past the request body; it is the first stdin data.
 */
export function hijack(ctx: RequestContext, contentType: string, leftover: Buffer = Buffer.alloc(0)): HijackedConnection {
  if (ctx.upgrade) {
    const { socket } = ctx.upgrade;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    const input = new PassThrough();
    if (leftover.length > 0) input.write(leftover);
    socket.pipe(input);
    let closed = false;
    return {
      output: socket,
      input,
      close: () => {
        if (closed) return;
        closed = true;
        socket.unpipe(input);
        input.end();
        socket.end();
      },
    };
  }
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  let closed = false;
  return {
    output: res,
    input: ctx.req,
    close: () => {
      if (closed) return;
      closed = true;
      res.end();
    },
  };
}
