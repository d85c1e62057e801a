import type { Database } from 'better-sqlite3';
import { sha256Of } from '../base/digest.js';
import type { ContainerConfigFields } from '../image/image-config.js';

/**
 * The build cache: a step's key → the image it produced. A hit is only taken when that image
 * still exists and stands on the same parent, so a deleted or rebuilt image can never be
 * served from a stale row.
 */
export interface CacheKeyInput {
  /** The image the step builds on ("" for scratch), plus the platform a scratch stage builds for. */
  parent: string;
  /** The history text: holds the command, build args in effect, COPY source hash. */
  createdBy: string;
  /** The config after the step (Env, User, WorkingDir, Shell … all change what RUN does). */
  config: ContainerConfigFields;
  /** Anything else that changes the result: COPY --chown/--chmod/--from, dest, author. */
  extra?: Record<string, string>;
}

/** Pure: the same inputs give the same key; any field change gives another. */
export function cacheKey(input: CacheKeyInput): string {
  const extra = Object.fromEntries(Object.entries(input.extra ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  return sha256Of(JSON.stringify(['skiff-build-cache-v1', input.parent, input.createdBy, canonical(input.config), extra]));
}

/** JSON with object keys sorted, so key order in a config never changes the key. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export class BuildCache {
  constructor(
    private readonly db: Database,
    private readonly imageParent: (id: string) => string | undefined,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS build_cache (
      key TEXT PRIMARY KEY,
      image_id TEXT NOT NULL,
      parent TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  get(key: string, parent: string): string | undefined {
    const row = this.db.prepare('SELECT image_id, parent FROM build_cache WHERE key = ?').get(key) as { image_id: string; parent: string } | undefined;
    if (!row || row.parent !== parent) return undefined;
    const actualParent = this.imageParent(row.image_id);
    if (actualParent === undefined || actualParent !== parent) {
      this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(key);
      return undefined;
    }
    return row.image_id;
  }

  put(key: string, parent: string, imageId: string): void {
    this.db
      .prepare('INSERT INTO build_cache (key, image_id, parent, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET image_id = excluded.image_id, parent = excluded.parent, created_at = excluded.created_at')
      .run(key, imageId, parent, Date.now());
  }
}
