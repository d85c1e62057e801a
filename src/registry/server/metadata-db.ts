import Database from 'better-sqlite3';

/**
 * Repositories, tags, manifest records, blob links and uploads, in SQLite (WAL, synchronous=FULL:
 * an acknowledged push survives a kill -9). The server and `skiff registry gc` may open the same
 * file at once; writes that race with garbage collection run as IMMEDIATE transactions and
 * re-check the blob file inside them, so the two serialise.
 */
export interface ManifestRecord {
  repo: string;
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | undefined;
  subject: string | undefined;
  annotations: Record<string, string> | undefined;
}

interface ManifestRow {
  repo: string;
  digest: string;
  media_type: string;
  size: number;
  artifact_type: string | null;
  subject: string | null;
  annotations: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS repo_blobs (repo TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (repo, digest)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS manifests (
  repo TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL,
  artifact_type TEXT, subject TEXT, annotations TEXT, created INTEGER NOT NULL,
  PRIMARY KEY (repo, digest)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS manifests_by_subject ON manifests (repo, subject);
CREATE INDEX IF NOT EXISTS manifests_by_digest ON manifests (digest);
CREATE TABLE IF NOT EXISTS manifest_refs (repo TEXT NOT NULL, manifest TEXT NOT NULL, child TEXT NOT NULL, PRIMARY KEY (repo, manifest, child)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS manifest_refs_by_child ON manifest_refs (child);
CREATE TABLE IF NOT EXISTS tags (repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (repo, tag)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (uuid TEXT PRIMARY KEY, repo TEXT NOT NULL, started INTEGER NOT NULL);
`;

const toRecord = (r: ManifestRow): ManifestRecord => ({
  repo: r.repo,
  digest: r.digest,
  mediaType: r.media_type,
  size: r.size,
  artifactType: r.artifact_type ?? undefined,
  subject: r.subject ?? undefined,
  annotations: r.annotations === null ? undefined : (JSON.parse(r.annotations) as Record<string, string>),
});

export class MetadataDb {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): MetadataDb {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    db.exec(SCHEMA);
    return new MetadataDb(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Links a blob to a repository if its file is still there (checked inside the transaction). */
  linkBlob(repo: string, digest: string, fileExists: () => boolean): boolean {
    return this.db
      .transaction(() => {
        if (!fileExists()) return false;
        this.db.prepare('INSERT OR IGNORE INTO repo_blobs (repo, digest) VALUES (?, ?)').run(repo, digest);
        return true;
      })
      .immediate();
  }

  hasBlobLink(repo: string, digest: string): boolean {
    return this.db.prepare('SELECT 1 FROM repo_blobs WHERE repo = ? AND digest = ?').get(repo, digest) !== undefined;
  }

  unlinkBlob(repo: string, digest: string): boolean {
    return this.db.prepare('DELETE FROM repo_blobs WHERE repo = ? AND digest = ?').run(repo, digest).changes > 0;
  }

  /**
   * Records a manifest (and its tag) unless something it references is missing; returns the
   * missing digests. Blobs must be linked to the repository and present on disk; child manifests
   * must be manifests of the repository.
   */
  putManifest(rec: ManifestRecord, blobs: readonly string[], children: readonly string[], tag: string | undefined, fileExists: (d: string) => boolean): string[] {
    return this.db
      .transaction(() => {
        const missing = [
          ...blobs.filter((d) => !this.hasBlobLink(rec.repo, d) || !fileExists(d)),
          ...children.filter((d) => this.getManifest(rec.repo, d) === undefined),
        ];
        if (missing.length > 0 || !fileExists(rec.digest)) return missing.length > 0 ? missing : [rec.digest];
        this.db
          .prepare(
            `INSERT OR REPLACE INTO manifests (repo, digest, media_type, size, artifact_type, subject, annotations, created)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(rec.repo, rec.digest, rec.mediaType, rec.size, rec.artifactType ?? null, rec.subject ?? null, rec.annotations === undefined ? null : JSON.stringify(rec.annotations), Date.now());
        const ref = this.db.prepare('INSERT OR IGNORE INTO manifest_refs (repo, manifest, child) VALUES (?, ?, ?)');
        for (const c of [...blobs, ...children]) ref.run(rec.repo, rec.digest, c);
        this.db.prepare('INSERT OR IGNORE INTO repo_blobs (repo, digest) VALUES (?, ?)').run(rec.repo, rec.digest);
        if (tag !== undefined) this.db.prepare('INSERT OR REPLACE INTO tags (repo, tag, digest) VALUES (?, ?, ?)').run(rec.repo, tag, rec.digest);
        return [];
      })
      .immediate();
  }

  getManifest(repo: string, digest: string): ManifestRecord | undefined {
    const row = this.db.prepare('SELECT * FROM manifests WHERE repo = ? AND digest = ?').get(repo, digest) as ManifestRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  resolveTag(repo: string, tag: string): string | undefined {
    const row = this.db.prepare('SELECT digest FROM tags WHERE repo = ? AND tag = ?').get(repo, tag) as { digest: string } | undefined;
    return row?.digest;
  }

  tags(repo: string): string[] {
    return (this.db.prepare('SELECT tag FROM tags WHERE repo = ? ORDER BY tag').all(repo) as Array<{ tag: string }>).map((r) => r.tag);
  }

  repoExists(repo: string): boolean {
    return this.db.prepare('SELECT 1 FROM manifests WHERE repo = ? LIMIT 1').get(repo) !== undefined;
  }

  repositories(): string[] {
    return (this.db.prepare('SELECT DISTINCT repo FROM manifests ORDER BY repo').all() as Array<{ repo: string }>).map((r) => r.repo);
  }

  /** Deletes a manifest with its tags and reference rows. */
  deleteManifest(repo: string, digest: string): boolean {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM manifests WHERE repo = ? AND digest = ?').run(repo, digest).changes;
      this.db.prepare('DELETE FROM manifest_refs WHERE repo = ? AND manifest = ?').run(repo, digest);
      this.db.prepare('DELETE FROM tags WHERE repo = ? AND digest = ?').run(repo, digest);
      this.db.prepare('DELETE FROM repo_blobs WHERE repo = ? AND digest = ?').run(repo, digest);
      return n > 0;
    })();
  }

  deleteTag(repo: string, tag: string): boolean {
    return this.db.prepare('DELETE FROM tags WHERE repo = ? AND tag = ?').run(repo, tag).changes > 0;
  }

  referrers(repo: string, subject: string): ManifestRecord[] {
    return (this.db.prepare('SELECT * FROM manifests WHERE repo = ? AND subject = ? ORDER BY digest').all(repo, subject) as ManifestRow[]).map(toRecord);
  }

  createUpload(uuid: string, repo: string, now: number): void {
    this.db.prepare('INSERT INTO uploads (uuid, repo, started) VALUES (?, ?, ?)').run(uuid, repo, now);
  }

  getUpload(uuid: string): { repo: string; started: number } | undefined {
    return this.db.prepare('SELECT repo, started FROM uploads WHERE uuid = ?').get(uuid) as { repo: string; started: number } | undefined;
  }

  deleteUpload(uuid: string): void {
    this.db.prepare('DELETE FROM uploads WHERE uuid = ?').run(uuid);
  }

  uploadsStartedBefore(ms: number): string[] {
    return (this.db.prepare('SELECT uuid FROM uploads WHERE started < ?').all(ms) as Array<{ uuid: string }>).map((r) => r.uuid);
  }

  isReferenced(digest: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM manifests WHERE digest = ? LIMIT 1').get(digest) !== undefined ||
      this.db.prepare('SELECT 1 FROM manifest_refs WHERE child = ? LIMIT 1').get(digest) !== undefined
    );
  }

  /**
   * Garbage collection's sweep of one blob, atomically with respect to pushes: still
   * unreferenced and `stillStale()` (which may unlink the file) → its links go too.
   */
  sweepBlob(digest: string, stillStale: () => boolean, remove: () => void): boolean {
    return this.db
      .transaction(() => {
        if (this.isReferenced(digest) || !stillStale()) return false;
        this.db.prepare('DELETE FROM repo_blobs WHERE digest = ?').run(digest);
        remove();
        return true;
      })
      .immediate();
  }
}
