import type { Database } from 'better-sqlite3';
import type { Digest } from '../base/digest.js';
import type { ImageConfig, ImageRecord } from './image-config.js';

/**
 * The image tables. `images` keeps the config JSON beside its digest so lookups stay synchronous;
 * the blob in the content store holds the same bytes (it is what gets pushed and saved).
 * `tags` holds every reference, normalised: "docker.io/library/x:1" and "docker.io/library/x@sha256:…".
 */
interface ImageRow {
  id: string;
  config_digest: string;
  config_json: string;
  parent: string;
  size: number;
  created_at: number;
  last_tag_time: number | null;
}

export class ImageDb {
  constructor(readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS images (
        id TEXT PRIMARY KEY,
        config_digest TEXT NOT NULL,
        config_json TEXT NOT NULL,
        parent TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_tag_time INTEGER
      );
      CREATE TABLE IF NOT EXISTS tags (
        ref TEXT PRIMARY KEY,
        image_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS tags_image ON tags (image_id);
      CREATE INDEX IF NOT EXISTS images_parent ON images (parent);
    `);
  }

  insertImage(rec: { id: Digest; configJson: string; parentId: string; size: number; createdAt: number }): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO images (id, config_digest, config_json, parent, size, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(rec.id, rec.id, rec.configJson, rec.parentId, rec.size, rec.createdAt);
  }

  /** Points `ref` at the image (moving it from another image if needed). */
  setRef(ref: string, imageId: string, now: number): void {
    this.db
      .prepare('INSERT INTO tags (ref, image_id, created_at) VALUES (?, ?, ?) ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at')
      .run(ref, imageId, now);
    if (!ref.includes('@')) this.db.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(now, imageId);
  }

  deleteRef(ref: string): boolean {
    return this.db.prepare('DELETE FROM tags WHERE ref = ?').run(ref).changes > 0;
  }

  deleteImage(id: string): void {
    this.db.prepare('DELETE FROM tags WHERE image_id = ?').run(id);
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  imageIdOfRef(ref: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM tags WHERE ref = ?').get(ref) as { image_id: string } | undefined)?.image_id;
  }

  /** References of an image, in the order they were made. */
  refsOf(id: string): string[] {
    return (this.db.prepare('SELECT ref FROM tags WHERE image_id = ? ORDER BY created_at, ref').all(id) as Array<{ ref: string }>).map((r) => r.ref);
  }

  get(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  /** IDs starting with `hexPrefix` (at most `limit`). */
  idsWithPrefix(hexPrefix: string, limit: number): string[] {
    return (
      this.db.prepare("SELECT id FROM images WHERE substr(id, 8, ?) = ? LIMIT ?").all(hexPrefix.length, hexPrefix, limit) as Array<{ id: string }>
    ).map((r) => r.id);
  }

  all(): ImageRecord[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY created_at DESC, id').all() as ImageRow[]).map((r) => this.toRecord(r));
  }

  children(id: string): string[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent = ?').all(id) as Array<{ id: string }>).map((r) => r.id);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private toRecord(row: ImageRow): ImageRecord {
    const refs = this.refsOf(row.id);
    const rec: ImageRecord = {
      id: row.id as Digest,
      config: JSON.parse(row.config_json) as ImageConfig,
      repoTags: refs.filter((r) => !r.includes('@')),
      repoDigests: refs.filter((r) => r.includes('@')),
      parentId: row.parent,
      size: row.size,
      createdAt: row.created_at,
    };
    if (row.last_tag_time !== null) rec.lastTagTime = row.last_tag_time;
    return rec;
  }
}
