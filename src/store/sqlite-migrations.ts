/**
 * The SQLite schema, as an ordered list of migrations. `PRAGMA user_version` records the last one
 * applied; each runs in its own transaction together with the version bump, so a crash leaves the
 * file at one version or the next, never between. Migrations are append-only: never edit one that
 * has shipped, add the next.
 */
import type { Database } from 'better-sqlite3';
import { StoreUnavailableError } from './event-store.port';

/** One step of the schema. */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, numbered globally by position, unique by (stream, revision) and (event id, stream)',
    up(db) {
      // `position` is the rowid: the global order costs no extra index. The (event_id, stream)
      // index serves both the per-stream uniqueness of ids and the look-up of an id in any stream.
      db.exec(`
        CREATE TABLE events (
          position INTEGER PRIMARY KEY,
          stream   TEXT    NOT NULL,
          revision INTEGER NOT NULL,
          event_id TEXT    NOT NULL,
          type     TEXT    NOT NULL,
          data     TEXT    NOT NULL,
          metadata TEXT    NOT NULL
        );
        CREATE UNIQUE INDEX events_stream_revision ON events (stream, revision);
        CREATE UNIQUE INDEX events_event_id_stream ON events (event_id, stream);
      `);
    },
  },
  {
    version: 2,
    description: 'store_owner: which process holds the store, for the "locked by" message',
    up(db) {
      db.exec(`
        CREATE TABLE store_owner (
          id        INTEGER PRIMARY KEY CHECK (id = 1),
          pid       INTEGER NOT NULL,
          host      TEXT    NOT NULL,
          opened_at TEXT    NOT NULL
        );
      `);
    },
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce(
  (latest, migration) => Math.max(latest, migration.version),
  0,
);

/** Brings the file up to the latest version; refuses a file written by a newer version. */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`SQLite migrations must be numbered 1..n without gaps; found ${migration.version}`);
    }
  });
  const latest = ordered.length;
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latest) {
    throw new StoreUnavailableError(
      `The SQLite file is at schema version ${from}, newer than this release knows (${latest}); upgrade the service`,
    );
  }
  for (const migration of ordered.slice(from)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: latest };
}
