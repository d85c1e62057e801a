// Helpers for the registry-server e2e tests: run `skiff registry serve` as a real process, speak
// raw HTTP(S) to it (node:http, so paths like `a/../b` reach the server un-normalised) and push
// images by the distribution spec's flows.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './fixtures.js';

export const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface ReqOptions {
  headers?: Record<string, string | number>;
  body?: Buffer | string | AsyncIterable<Buffer>;
  ca?: Buffer;
}

export function raw(base: string, method: string, path: string, o: ReqOptions = {}): Promise<Res> {
  const u = new URL(base);
  const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn(
      { host: u.hostname, port: u.port, method, path, headers: o.headers, agent: false, ...(o.ca !== undefined ? { ca: o.ca } : {}) },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          const body = Buffer.concat(parts);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString(), json: <T>() => JSON.parse(body.toString()) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const b = o.body;
    if (b === undefined || typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
    else
      void (async () => {
        for await (const c of b) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch((e: Error) => req.destroy(e));
  });
}

export const errorCode = (r: Res): string | undefined => (r.json<{ errors?: Array<{ code: string }> }>().errors ?? [])[0]?.code;

export interface RegistryProcess {
  url: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and waits for exit; resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The CLI entry for `skiff registry …`: bin/skiff once main.ts registers the group, else the command module directly. */
function cliArgv(args: string[]): string[] {
  const root = repoRoot();
  const main = join(root, 'dist/src/cli/main.js');
  if (existsSync(main) && readFileSync(main, 'utf8').includes('commands/registry.js')) return [join(root, 'bin/skiff'), 'registry', ...args];
  const dist = join(root, 'dist/src/cli');
  const script = `
    const { runCommand } = await import(${JSON.stringify(join(dist, 'run-command.js'))});
    const m = await import(${JSON.stringify(join(dist, 'commands/registry.js'))});
    const def = process.argv[1] === 'gc' ? m.registryGcCommand : m.registryServeCommand;
    const out = (t) => void process.stdout.write(t), err = (t) => void process.stderr.write(t);
    const ctx = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, out, err, client() { throw new Error('no client'); } };
    process.exitCode = await runCommand(def, process.argv.slice(2), ctx);`;
  return ['--input-type=module', '-e', script, ...args];
}

export function skiffRegistryArgv(args: string[]): string[] {
  return cliArgv(args);
}

export async function startRegistry(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RegistryProcess> {
  const proc = spawn(process.execPath, cliArgv(['serve', '--addr', '127.0.0.1:0', ...args]), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start: ${err}`)), 20_000);
    proc.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const line = err.split('\n').find((l) => l.includes('"registry listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void exited.then((c) => reject(new Error(`registry exited ${c}: ${err}`)));
  });
  return {
    url,
    proc,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

export interface TestImage {
  layers: Buffer[];
  config: Buffer;
  manifest: Buffer;
  digest: string;
}

/** A small single-file gzipped tar, enough for skopeo and for digests to mean something. */
export function tarLayer(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return gzipSync(Buffer.concat([header, content, pad, Buffer.alloc(1024)]));
}

export function makeImage(layerSizes: number[], label = 'x'): TestImage {
  const layers = layerSizes.map((n, i) => tarLayer(`f${i}`, randomBytes(n)));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { label } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l)) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(l), size: l.length })),
    }),
  );
  return { layers, config, manifest, digest: sha(manifest) };
}

/** Monolithic blob push: POST ?digest= with the whole body. */
export async function pushBlob(base: string, repo: string, blob: Buffer, headers: Record<string, string> = {}): Promise<Res> {
  return raw(base, 'POST', `/v2/${repo}/blobs/uploads/?digest=${sha(blob)}`, {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length, ...headers },
    body: blob,
  });
}

export async function pushImage(base: string, repo: string, tag: string, img: TestImage, headers: Record<string, string> = {}): Promise<Res> {
  for (const b of [...img.layers, img.config]) {
    const r = await pushBlob(base, repo, b, headers);
    if (r.status !== 201) return r;
  }
  return raw(base, 'PUT', `/v2/${repo}/manifests/${tag}`, {
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', ...headers },
    body: img.manifest,
  });
}

/** Pulls an image by tag and checks every digest; returns the manifest digest. */
export async function pullAndVerify(base: string, repo: string, tag: string, headers: Record<string, string> = {}): Promise<string> {
  const m = await raw(base, 'GET', `/v2/${repo}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json', ...headers } });
  if (m.status !== 200) throw new Error(`manifest ${repo}:${tag}: ${m.status} ${m.text}`);
  const digest = sha(m.body);
  if (m.headers['docker-content-digest'] !== digest) throw new Error('manifest digest header mismatch');
  const doc = m.json<{ config: { digest: string }; layers: Array<{ digest: string }> }>();
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
    const b = await raw(base, 'GET', `/v2/${repo}/blobs/${d}`, { headers });
    if (b.status !== 200 || sha(b.body) !== d) throw new Error(`blob ${d}: ${b.status}`);
  }
  return digest;
}
