// Registry throughput: skiff's registry server against Debian's docker-registry (distribution
// 2.8) when installed, on loopback. Workloads: push and pull of one 100 MB blob, then 50
// concurrent clients mixing pulls and pushes for a bounded time. Prints MB/s, ops/s, p99 latency
// and peak RSS (VmHWM), with skiff/distribution ratios.
//   npm run bench:registry -- [--seconds N] [--blob-mb N]
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findOnPath } from '../test/e2e/fixtures.js';
import { startRegistry } from '../test/e2e/registry-server-client.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`bad --${name}`);
  return n;
};
const SECONDS = arg('seconds', 10);
const BLOB_MB = arg('blob-mb', 100);
const CLIENTS = 50;
const MAX_OPS = 20_000;

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS + 4 });

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
}

function call(base: string, method: string, path: string, body?: Buffer, headers: Record<string, string | number> = {}): Promise<Res> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path: u.pathname + u.search, agent, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': body.length } : {}) } }, (res) => {
      let bytes = 0;
      res.on('data', (b: Buffer) => (bytes += b.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POST then PUT: the upload flow every registry supports. */
async function pushBlob(base: string, repo: string, blob: Buffer): Promise<void> {
  const start = await call(base, 'POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`POST ${start.status}`);
  const loc = String(start.headers['location']);
  const put = await call(base, 'PUT', `${loc}${loc.includes('?') ? '&' : '?'}digest=${sha(blob)}`, blob, { 'Content-Type': 'application/octet-stream' });
  if (put.status !== 201) throw new Error(`PUT ${put.status}`);
}

async function pushManifest(base: string, repo: string, tag: string, config: Buffer, layer: Buffer): Promise<void> {
  const m = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
    }),
  );
  const r = await call(base, 'PUT', `/v2/${repo}/manifests/${tag}`, m, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
  if (r.status !== 201) throw new Error(`manifest PUT ${r.status}`);
}

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

const peakRssMb = (pid: number | undefined): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) / 1024;
};

interface Figures {
  pushMBs: number;
  pullMBs: number;
  opsPerSec: number;
  p99ms: number;
  rssMb: number;
}

async function workload(label: string, base: string, pid: number | undefined): Promise<Figures> {
  const big = randomBytes(BLOB_MB * 1024 * 1024);
  let t = process.hrtime.bigint();
  await pushBlob(base, 'bench/big', big);
  const pushS = Number(process.hrtime.bigint() - t) / 1e9;
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  await pushBlob(base, 'bench/big', config);
  await pushManifest(base, 'bench/big', 'v1', config, big);
  t = process.hrtime.bigint();
  const got = await call(base, 'GET', `/v2/bench/big/blobs/${sha(big)}`);
  const pullS = Number(process.hrtime.bigint() - t) / 1e9;
  if (got.bytes !== big.length) throw new Error(`pulled ${got.bytes} bytes`);

  // Load: 50 clients; 4 in 5 operations pull (manifest + 64 KiB layer), 1 in 5 pushes a fresh 64 KiB blob.
  const small = randomBytes(64 * 1024);
  await pushBlob(base, 'bench/load', small);
  await pushBlob(base, 'bench/load', config);
  await pushManifest(base, 'bench/load', 'v1', config, small);
  const lat: number[] = [];
  const deadline = Date.now() + SECONDS * 1000;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; Date.now() < deadline && ops < MAX_OPS; i++) {
        const s = process.hrtime.bigint();
        if ((c + i) % 5 === 0) await pushBlob(base, 'bench/load', randomBytes(64 * 1024));
        else {
          const m = await call(base, 'GET', '/v2/bench/load/manifests/v1', undefined, { Accept: 'application/vnd.oci.image.manifest.v1+json' });
          const b = await call(base, 'GET', `/v2/bench/load/blobs/${sha(small)}`);
          if (m.status !== 200 || b.bytes !== small.length) throw new Error('pull failed');
        }
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        ops++;
      }
    }),
  );
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
  const f = { pushMBs: BLOB_MB / pushS, pullMBs: BLOB_MB / pullS, opsPerSec: ops / loadS, p99ms: pct(lat, 0.99), rssMb: peakRssMb(pid) };
  console.log(
    `${label.padEnd(22)} push ${f.pushMBs.toFixed(0).padStart(5)} MB/s  pull ${f.pullMBs.toFixed(0).padStart(5)} MB/s  ` +
      `load ${f.opsPerSec.toFixed(0).padStart(6)} ops/s  p99 ${f.p99ms.toFixed(1).padStart(7)} ms  peak RSS ${f.rssMb.toFixed(0)} MB  (${ops} ops)`,
  );
  return f;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(base: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await call(base, 'GET', '/v2/').catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not come up`);
}

async function main(): Promise<void> {
  const root = mkdtempSync('/tmp/skiff-bench-registry-');
  let distribution: ChildProcess | undefined;
  try {
    const reg = await startRegistry(['--root', join(root, 'skiff'), '--config', writeJson(join(root, 'skiff.json'), { log: { access: false } })]);
    const skiff = await workload('skiff registry', reg.url, reg.proc.pid).finally(() => reg.stop());
    const bin = findOnPath('docker-registry');
    if (bin === undefined) {
      console.log('docker-registry not installed: no comparison (apt-get install docker-registry)');
      return;
    }
    const port = await freePort();
    const cfg = join(root, 'distribution.yml');
    writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, 'distribution')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    distribution = spawn(bin, ['serve', cfg], { stdio: 'ignore' });
    await waitUp(`http://127.0.0.1:${port}`);
    const dist = await workload('docker-registry 2.8', `http://127.0.0.1:${port}`, distribution.pid);
    console.log(
      `ratios skiff/distribution: push ${(skiff.pushMBs / dist.pushMBs).toFixed(2)}  pull ${(skiff.pullMBs / dist.pullMBs).toFixed(2)}  ` +
        `load throughput ${(skiff.opsPerSec / dist.opsPerSec).toFixed(2)}  p99 ${(skiff.p99ms / dist.p99ms).toFixed(2)}  peak RSS ${(skiff.rssMb / dist.rssMb).toFixed(2)}`,
    );
  } finally {
    distribution?.kill('SIGTERM');
    agent.destroy();
    rmSync(root, { recursive: true, force: true });
  }
}

function writeJson(file: string, v: unknown): string {
  writeFileSync(file, JSON.stringify(v));
  return file;
}

await main();
