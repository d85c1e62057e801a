import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../base/log.js';
import type { Authorizer, Caller } from './authorizer.js';
import type { BlobStore } from './blob-store.js';
import type { MetadataDb } from './metadata-db.js';
import type { RegistryMetrics } from './registry-metrics.js';
import type { UploadStore } from './upload-store.js';

/** Everything the endpoint handlers share, wired once by registry-server.ts. */
export interface RegistryDeps {
  db: MetadataDb;
  blobs: BlobStore;
  uploads: UploadStore;
  authorizer: Authorizer;
  metrics: RegistryMetrics;
  log: Logger;
  accessLog: Logger | undefined;
  maxManifestBytes: number;
  /** Requests served at once before 429 TOOMANYREQUESTS; 0 for no limit. */
  maxInFlight: number;
  deleteEnabled: boolean;
  metricsEnabled: boolean;
  /** Absolute URL of the token endpoint; undefined derives it from the request's Host. */
  tokenRealm: string | undefined;
}

/** One request being served. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  caller: Caller;
}
