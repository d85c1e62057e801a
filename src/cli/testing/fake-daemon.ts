import http from 'node:http';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A tiny in-test Engine API server on a temp unix socket: routes are matched on method and the
 * unversioned path; every request is recorded so tests can assert what the CLI sent.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeRoute {
  method: string;
  path: RegExp;
  handle?: (req: RecordedRequest, res: http.ServerResponse) => void;
  /** For hijacked requests (Connection: Upgrade): gets the raw socket. */
  upgrade?: (req: RecordedRequest, socket: Duplex, head: Buffer) => void;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.50' });
  res.end(`${JSON.stringify(body)}\n`);
}

export class FakeDaemon {
  readonly requests: RecordedRequest[] = [];
  readonly socketPath: string;
  private readonly server: http.Server;
  private readonly dir: string;
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly routes: FakeRoute[]) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-fake-'));
    this.socketPath = path.join(this.dir, 'd.sock');
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    for (const s of this.upgraded) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Requests other than pings, as "METHOD /path?query" strings. */
  calls(): string[] {
    return this.requests
      .filter((r) => r.path !== '/_ping')
      .map((r) => `${r.method} ${r.path}${r.query.toString() === '' ? '' : `?${r.query.toString()}`}`);
  }

  private record(req: http.IncomingMessage, body: string): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec = {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/v\d+\.\d+/, ''),
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(rec);
    return rec;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = this.record(req, Buffer.concat(chunks).toString('utf8'));
      if (rec.path === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.50', Ostype: 'linux', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : 'OK');
        return;
      }
      const route = this.routes.find((r) => r.method === rec.method && r.path.test(rec.path) && r.handle);
      if (route?.handle === undefined) {
        sendJson(res, 404, { message: `page not found: ${rec.method} ${rec.path}` });
        return;
      }
      route.handle(rec, res);
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const rec = this.record(req, '');
    socket.on('error', () => undefined); // clients may hang up mid-stream
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    const route = this.routes.find((r) => r.method === rec.method && r.path.test(rec.path) && r.upgrade);
    if (route?.upgrade === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{"message":"not found"}\n');
      return;
    }
    route.upgrade(rec, socket, head);
  }
}

export function upgradeHead(tty: boolean): string {
  const ct = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  return `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${ct}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`;
}
