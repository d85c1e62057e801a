import { mkdirSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { notFound } from '../base/engine-error.js';

/** Docker marks volumes made for one container this way; `rm -v` and `volume prune` look for it. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  anonymous: boolean;
  /** RFC 3339, second precision as Docker shows it. */
  createdAt: string;
}

interface Row {
  name: string;
  labels: string;
  options: string;
  anonymous: number;
  created_at: string;
}

const fromRow = (r: Row): VolumeRecord => ({
  name: r.name,
  driver: 'local',
  labels: JSON.parse(r.labels) as Record<string, string> | null,
  options: JSON.parse(r.options) as Record<string, string> | null,
  anonymous: r.anonymous === 1,
  createdAt: r.created_at,
});

/** Local volumes: a row in SQLite and a directory `<data-root>/volumes/<name>/_data`. */
export class VolumeStore {
  private readonly dir: string;

  constructor(
    dataRoot: string,
    private readonly db: Database,
  ) {
    this.dir = join(dataRoot, 'volumes');
    db.exec(`CREATE TABLE IF NOT EXISTS volumes (
      name TEXT PRIMARY KEY,
      labels TEXT NOT NULL,
      options TEXT NOT NULL,
      anonymous INTEGER NOT NULL,
      created_at TEXT NOT NULL
    )`);
  }

  /** Host directory the volume's content lives in (its Mountpoint). */
  dataDir(name: string): string {
    return join(this.dir, name, '_data');
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.db.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  require(name: string): VolumeRecord {
    const v = this.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  list(): VolumeRecord[] {
    return (this.db.prepare('SELECT * FROM volumes ORDER BY name').all() as Row[]).map(fromRow);
  }

  /**
   * Creates the volume, or returns the existing one of that name (Docker's create is idempotent).
   * Synchronous so a container's volumes exist as soon as its create returns. The directory is
   * made before the row: a crash in between leaves a directory that reconcile() removes.
   */
  ensure(name: string, opts: { labels?: Record<string, string> | null; options?: Record<string, string> | null; anonymous?: boolean } = {}): VolumeRecord {
    const existing = this.get(name);
    if (existing) return existing;
    mkdirSync(this.dataDir(name), { recursive: true, mode: 0o755 });
    const labels = opts.anonymous ? { ...(opts.labels ?? {}), [ANONYMOUS_LABEL]: '' } : (opts.labels ?? null);
    const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.db
      .prepare('INSERT OR IGNORE INTO volumes (name, labels, options, anonymous, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, JSON.stringify(labels), JSON.stringify(opts.options ?? null), opts.anonymous ? 1 : 0, createdAt);
    return this.require(name);
  }

  /** Row first, then the directory: a crash in between leaves only a directory reconcile() removes. */
  async remove(name: string): Promise<void> {
    this.require(name);
    this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
    await fsp.rm(join(this.dir, name), { recursive: true, force: true });
  }

  /** Startup: volume directories without a row (a crash mid-create or mid-remove) go away. */
  async reconcile(): Promise<void> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) if (!this.get(n)) await fsp.rm(join(this.dir, n), { recursive: true, force: true });
  }
}
