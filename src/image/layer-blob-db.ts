import type { Database } from 'better-sqlite3';
import type { Digest } from '../base/digest.js';

/**
 * Which compressed blobs hold which layers, and in which repositories they were seen, so a push
 * can skip (HEAD) or mount a blob without compressing the layer again, as dockerd's
 * v2 metadata service does.
 *
 * `local_diff_id` is the diffID the layer store knows the layer by; `diff_id` is the digest of
 * the blob's uncompressed tar. They differ when a layer whose original tar is gone (an import)
 * had to be packed again from its directory.
 */
export interface LayerBlob {
  localDiffId: Digest;
  diffId: Digest;
  digest: Digest;
  size: number;
  mediaType: string;
}

export interface BlobSource {
  domain: string;
  repository: string;
}

export class LayerBlobDb {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS layer_blobs (
        local_diff_id TEXT NOT NULL,
        diff_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (local_diff_id, digest)
      );
      CREATE TABLE IF NOT EXISTS blob_sources (
        digest TEXT NOT NULL,
        domain TEXT NOT NULL,
        repository TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (digest, domain, repository)
      );
    `);
  }

  record(b: LayerBlob): void {
    this.db
      .prepare(
        'INSERT INTO layer_blobs (local_diff_id, diff_id, digest, size, media_type, created_at) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(local_diff_id, digest) DO UPDATE SET diff_id = excluded.diff_id, size = excluded.size, media_type = excluded.media_type',
      )
      .run(b.localDiffId, b.diffId, b.digest, b.size, b.mediaType, Date.now());
  }

  /** Blobs known for a local layer, newest first. */
  blobsFor(localDiffId: Digest): LayerBlob[] {
    const rows = this.db
      .prepare('SELECT * FROM layer_blobs WHERE local_diff_id = ? ORDER BY created_at DESC')
      .all(localDiffId) as Array<{ local_diff_id: string; diff_id: string; digest: string; size: number; media_type: string }>;
    return rows.map((r) => ({
      localDiffId: r.local_diff_id as Digest,
      diffId: r.diff_id as Digest,
      digest: r.digest as Digest,
      size: r.size,
      mediaType: r.media_type,
    }));
  }

  addSource(digest: Digest, src: BlobSource): void {
    this.db
      .prepare('INSERT INTO blob_sources (digest, domain, repository, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at')
      .run(digest, src.domain, src.repository, Date.now());
  }

  /** Repositories on `domain` known to hold the blob, most recently seen first. */
  sourcesOf(digest: Digest, domain: string): string[] {
    return (
      this.db.prepare('SELECT repository FROM blob_sources WHERE digest = ? AND domain = ? ORDER BY seen_at DESC').all(digest, domain) as Array<{
        repository: string;
      }>
    ).map((r) => r.repository);
  }
}
