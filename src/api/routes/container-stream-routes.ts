import type { Socket } from 'node:net';
import { conflict, invalidParameter } from '../../base/engine-error.js';
import type { ContainerService } from '../../container/container-service.js';
import { fileSize, LogCursor, selectEntries, watchLog, type LogEntry } from '../../container/log-file.js';
import { DetachScanner, parseDetachKeys } from '../../container/detach-keys.js';
import type { MonitorDriver } from '../../sys/monitor.js';
import { hijack, multiplexedStream, rawStream } from '../hijack.js';
import { boolValue, intValue } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { readUpgradeBody } from './exec-routes.js';
import { frame, StreamId } from '../stream-framing.js';

export interface StreamRouteDeps {
  containers: ContainerService;
  monitor: MonitorDriver;
}

/** Go's RFC3339NanoFixed, which `docker logs -t` prints. */
function fixedNano(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : time;
}

function encoder(tty: boolean, timestamps: boolean): (e: LogEntry) => Buffer {
  return (e) => {
    const text = timestamps ? `${fixedNano(e.time)} ${e.log}` : e.log;
    const payload = Buffer.from(text, 'utf8');
    return tty ? payload : frame(e.stream === 'stdout' ? StreamId.Stdout : StreamId.Stderr, payload);
  };
}

/** Parses "since"/"until": unix seconds, fractional allowed. */
function unixParam(v: string | null, name: string): number {
  if (!v) return 0;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidParameter(`invalid value for ${name}: ${v}`);
  return n;
}

/**
 * Streams a container's log from `cursor` until the container exits (or the client leaves).
 * The final drain is synchronous on the exit event, so it happens before auto-remove deletes the file.
 */
function follow(
  deps: StreamRouteDeps,
  id: string,
  cursor: LogCursor,
  logPath: string,
  emit: (entries: LogEntry[]) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    let reading = false;
    let again = false;
    let done = false;
    const pump = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      do {
        again = false;
        const entries = await cursor.read();
        if (!done && entries.length) emit(entries);
      } while (again && !done);
      reading = false;
    };
    const stopWatching = watchLog(logPath, () => void pump());
    const finish = () => {
      if (done) return;
      done = true;
      stopWatching();
      deps.containers.events.off('exited', onExit);
      deps.containers.events.off('removed', onRemoved);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const onExit = (exitedId: string) => {
      if (exitedId !== id) return;
      const rest = cursor.readSync();
      if (rest.length) emit(rest);
      finish();
    };
    const onRemoved = (removedId: string) => {
      if (removedId === id) finish();
    };
    deps.containers.events.on('exited', onExit);
    deps.containers.events.on('removed', onRemoved);
    signal.addEventListener('abort', finish, { once: true });
    void pump();
    // Already over (it exited between the caller's look and now): drain and end.
    let status: string;
    try {
      status = deps.containers.resolve(id).state.status;
    } catch {
      status = 'removed';
    }
    if (status === 'exited' || status === 'dead' || status === 'removed') onExit(id);
  });
}

/**
 * Stdin connections to monitors kept open across a detach, by container ID: the monitor treats a
 * closed connection as end of input, and a detached `docker run -it` must keep its stdin.
 */
const parkedStdin = new Map<string, Socket>();

function parkStdin(id: string, sock: Socket): void {
  sock.removeAllListeners('data');
  sock.on('error', () => {});
  sock.once('close', () => {
    if (parkedStdin.get(id) === sock) parkedStdin.delete(id);
  });
  parkedStdin.set(id, sock);
}

function takeParkedStdin(id: string): Socket | undefined {
  const sock = parkedStdin.get(id);
  parkedStdin.delete(id);
  return sock && !sock.destroyed ? sock : undefined;
}

export function containerStreamRoutes(deps: StreamRouteDeps): Route[] {
  const { containers } = deps;
  return [
    {
      method: 'POST',
      path: '/containers/{id}/resize',
      handler: async (ctx: RequestContext) => {
        const rec = containers.resolve(ctx.params.id ?? '');
        const rows = intValue(ctx.query.get('h'), 'h') ?? 0;
        const cols = intValue(ctx.query.get('w'), 'w') ?? 0;
        if (rec.state.status !== 'running') throw conflict(`Container ${rec.id} is not running`);
        if (rec.spec.tty) await deps.monitor.resize(containers.paths(rec.id).stateDir, rows, cols).catch(() => {});
        containers.recordEvent(rec, 'resize', { height: String(rows), width: String(cols) });
        ctx.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
        ctx.res!.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/logs',
      handler: async (ctx: RequestContext) => {
        const rec = containers.resolve(ctx.params.id ?? '');
        const q = ctx.query;
        const sel = {
          stdout: boolValue(q.get('stdout')),
          stderr: boolValue(q.get('stderr')),
          since: unixParam(q.get('since'), 'since'),
          until: unixParam(q.get('until'), 'until'),
          tail: (() => {
            const t = q.get('tail');
            if (!t || t === 'all') return undefined;
            const n = Number(t);
            return Number.isInteger(n) && n >= 0 ? n : undefined;
          })(),
        };
        if (!sel.stdout && !sel.stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
        const encode = encoder(rec.spec.tty, boolValue(q.get('timestamps')));
        const res = ctx.res!;
        res.writeHead(200, { 'Content-Type': rec.spec.tty ? rawStream : multiplexedStream });
        const logPath = containers.paths(rec.id).log;
        const cursor = new LogCursor(logPath);
        const backlog = selectEntries(await cursor.read(), sel);
        for (const e of backlog) res.write(encode(e));
        const running = containers.resolve(rec.id).state.status === 'running';
        if (boolValue(q.get('follow')) && running && sel.until === 0) {
          const live = { ...sel, tail: undefined };
          await follow(deps, rec.id, cursor, logPath, (entries) => {
            for (const e of selectEntries(entries, live)) res.write(encode(e));
          }, ctx.signal);
        }
        res.end();
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/attach',
      handler: async (ctx: RequestContext) => {
        const rec = containers.resolve(ctx.params.id ?? '');
        const q = ctx.query;
        const want = { stdout: boolValue(q.get('stdout')), stderr: boolValue(q.get('stderr')), stdin: boolValue(q.get('stdin')) };
        const detachKeys = parseDetachKeys(q.get('detachKeys') ?? '');
        const logPath = containers.paths(rec.id).log;
        const replay = boolValue(q.get('logs'));
        const cursor = new LogCursor(logPath, replay ? 0 : await fileSize(logPath));
        // dockerode sends its options as a JSON body on the upgraded request too: skip those
        // Content-Length bytes, or they would reach the container's stdin before the user's.
        const leftover = ctx.upgrade ? (await readUpgradeBody(ctx)).rest : undefined;
        const conn = hijack(ctx, rec.spec.tty ? rawStream : multiplexedStream, leftover);
        const encode = encoder(rec.spec.tty, false);
        const write = (entries: LogEntry[]) => {
          for (const e of entries) {
            if (e.stream === 'stdout' ? want.stdout : want.stderr) conn.output.write(encode(e));
          }
        };
        const abort = new AbortController();
        ctx.signal.addEventListener('abort', () => abort.abort(), { once: true });
        containers.recordEvent(rec, 'attach');
        let stdinSocket: Socket | undefined;
        let detached = false;
        const cleanupStdin = want.stdin && rec.spec.openStdin ? forwardStdin() : () => {};

        function forwardStdin(): () => void {
          let ended = false;
          let finished = false;
          const pending: Buffer[] = [];
          const scanner = new DetachScanner(detachKeys);
          // Closing the monitor's stdin connection would close a stdin-once container's stdin:
          // after a detach (and always for a TTY) keep it for the next attach.
          const release = () => {
            if ((detached || rec.spec.tty) && stdinSocket) parkStdin(rec.id, stdinSocket);
            else if (!ended) stdinSocket?.destroy();
            stdinSocket = undefined;
          };
          conn.input.on('data', (chunk: Buffer) => {
            if (detached) return;
            const { forward, detached: now } = scanner.push(chunk);
            if (forward.length) {
              if (stdinSocket) stdinSocket.write(forward);
              else pending.push(forward);
            }
            if (now) {
              // The detach keys end this attach; the container keeps running with stdin open.
              detached = true;
              containers.recordEvent(rec, 'detach');
              abort.abort();
            }
          });
          conn.input.on('end', () => {
            ended = true;
            // As Docker: a client's EOF closes a non-TTY stdin-once container's stdin, but never a
            // TTY's (the docker CLI detaches a TTY by closing its connection); the attach ends.
            if (rec.spec.tty) abort.abort();
            else if (!detached) stdinSocket?.end();
          });
          const connect = async () => {
            try {
              const sock = takeParkedStdin(rec.id) ?? (await deps.monitor.openStdin(containers.paths(rec.id).stateDir));
              sock.on('error', () => {});
              for (const c of pending.splice(0)) sock.write(c);
              stdinSocket = sock;
              if (ended && !rec.spec.tty && !detached) sock.end();
              // The attach ended (detached, or the client left) while stdin was connecting.
              if (finished) release();
            } catch {
              /* the container exited before stdin could be connected */
            }
          };
          const onStarted = (id: string) => {
            if (id === rec.id) void connect();
          };
          if (containers.resolve(rec.id).state.status === 'running') void connect();
          else containers.events.on('started', onStarted);
          return () => {
            finished = true;
            containers.events.off('started', onStarted);
            release();
          };
        }

        if (!boolValue(q.get('stream'))) {
          if (replay) write(await cursor.read());
          cleanupStdin();
          conn.close();
          return;
        }
        await follow(deps, rec.id, cursor, logPath, write, abort.signal);
        cleanupStdin();
        conn.close();
      },
    },
  ];
}
