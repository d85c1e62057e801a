import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../base/log.js';
import { AccessPolicy } from './access-policy.js';
import { Authorizer } from './authorizer.js';
import { BlobStore } from './blob-store.js';
import { HtpasswdAuthenticator, parseHtpasswd, type PasswordVerifier } from './htpasswd.js';
import { MetadataDb } from './metadata-db.js';
import { parseAddr, type RegistryConfig } from './registry-config.js';
import { createRegistryHandler } from './registry-app.js';
import { RegistryMetrics } from './registry-metrics.js';
import { UploadStore } from './upload-store.js';

/**
 * Composition root of the registry: opens the store under `root`, wires auth, metrics and logs,
 * and listens over HTTP or HTTPS. `close()` stops accepting, lets in-flight requests (uploads
 * above all) finish within the shutdown timeout, then closes the database.
 */
export interface RegistryServerOptions {
  config: RegistryConfig;
  /** The bcrypt check for htpasswd entries; required when an htpasswd file is configured. */
  verifier?: PasswordVerifier;
  log?: Logger;
  accessLog?: Logger;
}

export interface RunningRegistry {
  /** e.g. "http://127.0.0.1:5000" */
  url: string;
  port: number;
  metrics: RegistryMetrics;
  close(): Promise<void>;
}

export async function startRegistryServer(opts: RegistryServerOptions): Promise<RunningRegistry> {
  const { config } = opts;
  const log = opts.log ?? silentLogger;
  const blobs = new BlobStore(config.root);
  await blobs.init();
  const db = MetadataDb.open(join(config.root, 'registry.db'));
  const uploads = new UploadStore(config.root, db, blobs);
  await uploads.init();

  let users: HtpasswdAuthenticator | undefined;
  if (config.auth.htpasswd !== undefined) {
    if (opts.verifier === undefined) throw new Error('an htpasswd file needs a password verifier');
    const file = parseHtpasswd(readFileSync(config.auth.htpasswd, 'utf8'));
    for (const s of file.skipped) log.warn('htpasswd entry skipped', { file: config.auth.htpasswd, reason: s });
    users = new HtpasswdAuthenticator(file, opts.verifier);
  }
  const tokenKey = config.auth.token.keyFile !== undefined ? readFileSync(config.auth.token.keyFile) : Authorizer.randomKey();
  const authorizer = new Authorizer(
    { mode: config.auth.mode, service: config.auth.token.service, issuer: config.auth.token.issuer, tokenTtlSeconds: config.auth.token.ttlSeconds, tokenKey },
    new AccessPolicy({ anonymousPull: config.auth.anonymousPull, ...(config.auth.access !== undefined ? { rules: config.auth.access } : {}) }),
    users,
  );
  const metrics = new RegistryMetrics();
  const handler = createRegistryHandler({
    db,
    blobs,
    uploads,
    authorizer,
    metrics,
    log,
    accessLog: config.accessLog ? opts.accessLog : undefined,
    maxManifestBytes: config.maxManifestBytes,
    maxInFlight: config.maxInFlight,
    deleteEnabled: config.deleteEnabled,
    metricsEnabled: config.metrics,
    tokenRealm: config.auth.token.realm,
  });
  const server: Server =
    config.tls === undefined ? createHttpServer(handler) : createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handler);
  // Layer uploads can be slow; Node's 5-minute request timeout would cut them off.
  server.requestTimeout = 0;
  const { host, port } = parseAddr(config.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const scheme = config.tls === undefined ? 'http' : 'https';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  log.info('registry listening', { url, root: config.root, auth: config.auth.mode });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + config.shutdownTimeoutSeconds * 1000;
      while ((metrics.inFlight > 0 || uploads.inFlight > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        server.closeIdleConnections();
      }
      if (metrics.inFlight > 0) log.warn('shutdown timeout: dropping requests', { inFlight: metrics.inFlight });
      server.closeAllConnections();
      await closed;
      db.close();
      log.info('registry stopped');
    })());
  return { url, port: actual, metrics, close };
}
