/**
 * The baselines each measurement is compared with: plain better-sqlite3 doing the least any event
 * table must do (one row per event, the same JSON text, the same indexes and durability), with no
 * validation, hashing or domain logic. They bound what the service can reach on this machine.
 */
import Database from 'better-sqlite3';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type Durability = 'FULL' | 'NORMAL';

// The same table and indexes as the service's SQLite store, so the rows cost the same to write.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    data     TEXT    NOT NULL,
    metadata TEXT    NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
  CREATE UNIQUE INDEX IF NOT EXISTS events_event_id_stream ON events (event_id, stream);`;

/** Metadata of the same size as the service's (instant, principal, two SHA-256 hex digests). */
export function rawMetadata(): string {
  return JSON.stringify({
    recordedAt: new Date().toISOString(),
    recordedBy: 'bench',
    schemaVersion: 1,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  });
}

const INSERT =
  'INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)';

/** Opens (or creates) a raw event table in WAL mode with the given `synchronous` level. */
export function openRaw(file: string, durability: Durability): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability}`);
  db.exec(SCHEMA);
  return db;
}

/** Raw bulk import of NDJSON files, in order: parse each line, insert it, 1,000 rows per transaction. */
export async function rawBulkImport(files: readonly string[], dbFile: string): Promise<number> {
  const db = openRaw(dbFile, 'FULL');
  const insert = db.prepare(INSERT);
  const revisions = new Map<string, number>();
  let batch: Array<[string, number, string, string, string, string]> = [];
  const flush = db.transaction((rows: typeof batch) => {
    for (const row of rows) insert.run(...row);
  });
  let count = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      const event = JSON.parse(line) as { id: string; pair: string; type: string };
      const stream = `relation-${event.pair}`;
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      batch.push([stream, revision, event.id, event.type, line, rawMetadata()]);
      if (batch.length === 1000) {
        flush(batch);
        batch = [];
      }
      count++;
    }
  }
  if (batch.length > 0) flush(batch);
  db.close();
  return count;
}

/**
 * Raw single-row transactions: one `INSERT` committed (and synced) per event, with the events' own
 * ids (random UUIDs land all over the id index, as the service's do) over ten streams.
 */
export function rawSingleAppends(
  dbFile: string,
  events: ReadonlyArray<{ id: string; body: string }>,
  durability: Durability,
): void {
  const db = openRaw(dbFile, durability);
  const insert = db.prepare(INSERT);
  // Autocommit: each INSERT is its own transaction, synced before it returns.
  events.forEach(({ id, body }, i) =>
    insert.run(`relation-RAW-${i % 10}`, Math.floor(i / 10), id, 'other-development', body, rawMetadata()),
  );
  db.close();
}

/** Raw read of one stream: select its rows in revision order and `JSON.parse` data and metadata. */
export function rawReadStream(db: Database.Database, stream: string): unknown[] {
  const rows = db
    .prepare('SELECT data, metadata FROM events WHERE stream = ? ORDER BY revision')
    .raw()
    .all(stream) as Array<[string, string]>;
  return rows.map(([data, metadata]) => [JSON.parse(data), JSON.parse(metadata)] as unknown);
}
