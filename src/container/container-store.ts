import type Database from 'better-sqlite3';
import { conflict } from '../base/engine-error.js';
import type { ContainerRecord, ContainerState } from './container-record.js';

interface Row {
  id: string;
  name: string;
  created: string;
  spec: string;
  state: string;
  restart_count: number;
  wire: string;
}

const fromRow = (r: Row): ContainerRecord => ({
  id: r.id,
  name: r.name,
  created: r.created,
  spec: JSON.parse(r.spec) as ContainerRecord['spec'],
  state: JSON.parse(r.state) as ContainerState,
  restartCount: r.restart_count,
  wire: JSON.parse(r.wire) as ContainerRecord['wire'],
});

/** Container records in SQLite. Names are unique by a table constraint, so two creates cannot both win. */
export class ContainerStore {
  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS containers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      created TEXT NOT NULL,
      spec TEXT NOT NULL,
      state TEXT NOT NULL,
      restart_count INTEGER NOT NULL DEFAULT 0,
      wire TEXT NOT NULL
    )`);
  }

  insert(rec: ContainerRecord): void {
    const owner = this.db.prepare('SELECT id FROM containers WHERE name = ?').get(rec.name) as { id: string } | undefined;
    if (owner) throw nameInUse(rec.name, owner.id);
    this.db
      .prepare('INSERT INTO containers (id, name, created, spec, state, restart_count, wire) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(rec.id, rec.name, rec.created, JSON.stringify(rec.spec), JSON.stringify(rec.state), rec.restartCount, JSON.stringify(rec.wire));
  }

  all(): ContainerRecord[] {
    return (this.db.prepare('SELECT * FROM containers ORDER BY created DESC').all() as Row[]).map(fromRow);
  }

  get(id: string): ContainerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  idByName(name: string): string | undefined {
    return (this.db.prepare('SELECT id FROM containers WHERE name = ?').get(name) as { id: string } | undefined)?.id;
  }

  idsByPrefix(prefix: string): string[] {
    return (this.db.prepare("SELECT id FROM containers WHERE id LIKE ? || '%'").all(prefix) as Array<{ id: string }>).map((r) => r.id);
  }

  saveState(id: string, state: ContainerState, restartCount?: number): void {
    if (restartCount === undefined) this.db.prepare('UPDATE containers SET state = ? WHERE id = ?').run(JSON.stringify(state), id);
    else this.db.prepare('UPDATE containers SET state = ?, restart_count = ? WHERE id = ?').run(JSON.stringify(state), restartCount, id);
  }

  /** Only `docker update` changes a spec after create (the restart policy). */
  saveSpec(id: string, spec: ContainerRecord['spec']): void {
    this.db.prepare('UPDATE containers SET spec = ? WHERE id = ?').run(JSON.stringify(spec), id);
  }

  rename(id: string, newName: string): void {
    const owner = this.idByName(newName);
    if (owner && owner !== id) throw nameInUse(newName, owner);
    this.db.prepare('UPDATE containers SET name = ? WHERE id = ?').run(newName, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }
}

export function nameInUse(name: string, ownerId: string) {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${ownerId}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}
