import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { invalidParameter } from '../../base/engine-error.js';
import { DetachScanner, parseDetachKeys } from '../../container/detach-keys.js';
import { consoleSizeOf, execConfigFromBody, type ExecCreateBody } from '../../container/exec-process.js';
import type { ExecRecord, ExecService } from '../../container/exec-service.js';
import type { LogEntry } from '../../container/log-file.js';
import { hijack, multiplexedStream, rawStream } from '../hijack.js';
import { intValue } from '../query.js';
import { readJsonBody, sendEmpty, sendJson, type RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { frame, StreamId } from '../stream-framing.js';

export interface ExecRouteDeps {
  execs: ExecService;
}

interface ExecStartBody {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: unknown;
}

/**
 * The body of an upgraded request is not parsed by Node: it is the first Content-Length bytes
 * of `head` and the socket data after it, and whatever follows is already the client's stdin.
 */
export function readUpgradeBody(ctx: RequestContext): Promise<{ body: Buffer; rest: Buffer }> {
  const upgrade = ctx.upgrade!;
  const length = Number(ctx.req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length < 0 || length > 1024 * 1024) return Promise.reject(invalidParameter('bad Content-Length'));
  const { socket, head } = upgrade;
  if (head.length >= length) return Promise.resolve({ body: head.subarray(0, length), rest: head.subarray(length) });
  return new Promise((resolve, reject) => {
    let got = head;
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < length) return;
      done();
      socket.pause(); // the rest stays in the socket for the hijacked stream
      resolve({ body: got.subarray(0, length), rest: got.subarray(length) });
    };
    const onEnd = () => {
      done();
      reject(invalidParameter('request body ended early'));
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

function parseJson<T>(buf: Buffer): T | undefined {
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw invalidParameter(`invalid JSON: ${(err as Error).message}`, err);
  }
}

/** docker exec inspect, as moby shapes it. */
export function execJson(e: ExecRecord): Record<string, unknown> {
  const [entrypoint = '', ...args] = e.config.cmd;
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: { tty: e.config.tty, entrypoint, arguments: args, privileged: e.config.privileged, user: e.config.user },
    OpenStdin: e.config.attachStdin,
    OpenStderr: e.config.attachStderr,
    OpenStdout: e.config.attachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.config.detachKeys,
    Pid: e.pid,
  };
}

/** For a TTY exec the detach keys end the stream; the process keeps running with its stdin open. */
function stdinWithDetach(input: Readable, keys: Buffer, onDetach: () => void): Readable {
  const out = new PassThrough();
  const scanner = new DetachScanner(keys);
  let detached = false;
  input.on('data', (chunk: Buffer) => {
    if (detached) return;
    const { forward, detached: now } = scanner.push(chunk);
    if (forward.length) out.write(forward);
    if (now) {
      detached = true;
      onDetach();
    }
  });
  input.once('end', () => {
    if (!detached) out.end();
  });
  return out;
}

export function execRoutes(deps: ExecRouteDeps): Route[] {
  const { execs } = deps;
  return [
    {
      method: 'POST',
      path: '/containers/{id}/exec',
      handler: async (ctx) => {
        const body = await readJsonBody<ExecCreateBody>(ctx);
        const rec = execs.create(ctx.params.id ?? '', execConfigFromBody(body));
        sendJson(ctx, 201, { Id: rec.id });
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/start',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const { rec } = execs.startable(id); // 404/409 as plain HTTP errors, before any hijack
        let raw: { body: Buffer; rest: Buffer } | undefined;
        let body: ExecStartBody;
        if (ctx.upgrade) {
          raw = await readUpgradeBody(ctx);
          body = parseJson<ExecStartBody>(raw.body) ?? {};
        } else {
          body = (await readJsonBody<ExecStartBody>(ctx)) ?? {};
        }
        const consoleSize = consoleSizeOf(body.ConsoleSize);
        const opts = { tty: body.Tty === true, ...(consoleSize ? { consoleSize } : {}) };
        if (body.Detach === true) {
          await execs.start(id, opts);
          if (ctx.upgrade) ctx.upgrade.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          else sendEmpty(ctx, 200);
          return;
        }
        const tty = rec.config.tty || opts.tty;
        const conn = hijack(ctx, tty ? rawStream : multiplexedStream, raw?.rest);
        if (ctx.upgrade) (ctx.upgrade.socket as Duplex).resume();
        const abort = new AbortController();
        ctx.signal.addEventListener('abort', () => abort.abort(), { once: true });
        const write = (entries: LogEntry[]) => {
          for (const e of entries) {
            if (e.stream === 'stdout' ? !rec.config.attachStdout && e.time !== '' : !rec.config.attachStderr) continue;
            const payload = Buffer.from(e.log, 'utf8');
            conn.output.write(tty ? payload : frame(e.stream === 'stdout' ? StreamId.Stdout : StreamId.Stderr, payload));
          }
        };
        let stdin: Readable | undefined;
        if (rec.config.attachStdin) {
          stdin = tty ? stdinWithDetach(conn.input, parseDetachKeys(rec.config.detachKeys), () => abort.abort()) : conn.input;
        }
        try {
          await execs.start(id, opts, { output: write, signal: abort.signal, ...(stdin ? { stdin } : {}) });
        } finally {
          conn.close();
        }
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/resize',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        execs.get(id);
        const h = intValue(ctx.query.get('h'), 'h') ?? 0;
        const w = intValue(ctx.query.get('w'), 'w') ?? 0;
        await execs.resize(id, h, w);
        ctx.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
        ctx.res!.end();
      },
    },
    {
      method: 'GET',
      path: '/exec/{id}/json',
      handler: (ctx) => sendJson(ctx, 200, execJson(execs.get(ctx.params.id ?? ''))),
    },
  ];
}
