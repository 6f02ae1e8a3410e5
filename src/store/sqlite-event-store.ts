/**
 * The embedded store: one SQLite file in WAL mode, `synchronous=FULL` unless asked otherwise, one
 * `BEGIN IMMEDIATE` transaction per append. A side file `<file>.lock`, held with an exclusive
 * SQLite lock for as long as the store is open, makes sure only one process ever writes the file;
 * the operating system drops that lock when the process dies, even by SIGKILL.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StoreUnavailableError,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from './event-store.port';
import { migrate } from './sqlite-migrations';
import {
  AppendDecision,
  AppendSignal,
  catchUpSubscription,
  checkExpectedRevision,
  conflict,
  decideAppend,
  duplicateIdError,
  PreparedEvent,
  prepareBatch,
  StreamLookup,
  storedEventOf,
} from './store-support';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteStoreOptions {
  /** `FULL` (default) survives power loss; `NORMAL` in WAL mode may lose the last commits on power loss. */
  synchronous?: SqliteSynchronous;
  /** How long a statement waits on a lock held by a foreign connection. */
  busyTimeoutMs?: number;
  /** How often a caught-up subscription looks for events written by another connection. */
  pollMs?: number;
}

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

const COLUMNS = 'position, stream, revision, event_id, type, data, metadata';
/** Upper bound for a prefix range on the (stream, …) index: above every character after the prefix. */
const MAX_CHAR = '\u{10FFFF}';
/** Ids per `IN (…)` query of findEvents: well under SQLite's limit of 32,766 bound parameters. */
const FIND_CHUNK = 500;

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  /** `IN (…)` lookups by number of ids; a batch reuses the full-chunk one and at most one other. */
  private readonly findStatements = new Map<number, Statement>();
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly appendTransaction: (
    streamName: string,
    expected: ReturnType<typeof checkExpectedRevision>,
    batch: PreparedEvent[],
  ) => AppendResult;

  private constructor(
    readonly file: string,
    private readonly db: Db,
    private readonly lock: Db,
    private readonly pollMs: number,
  ) {
    this.sql = prepareStatements(db);
    this.appendTransaction = db.transaction(this.appendInTransaction.bind(this)).immediate;
  }

  /** Opens (creating it and its folder if needed) and migrates the file; throws {@link StoreUnavailableError}. */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteEventStore {
    const path = resolve(file);
    const synchronous = options.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
      throw new StoreUnavailableError(
        `SQLite synchronous must be FULL or NORMAL, not ${String(synchronous)}`,
      );
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreUnavailableError(`Cannot create the folder of ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const lock = acquireLock(path);
    let db: Db | undefined;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 1000}`);
      migrate(db);
      db.prepare(
        `INSERT INTO store_owner (id, pid, host, opened_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, opened_at = excluded.opened_at`,
      ).run(process.pid, hostname(), new Date().toISOString());
      return new SqliteEventStore(path, db, lock, options.pollMs ?? 1000);
    } catch (error) {
      db?.close();
      lock.close();
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Cannot open the SQLite file ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const expected = checkExpectedRevision(options.expectedRevision);
    const batch = prepareBatch(events);
    this.assertOpen();
    try {
      const result =
        this.appendAtRevision(streamName, expected, batch) ??
        this.appendTransaction(streamName, expected, batch);
      if (batch.length > 0) this.signal.notify();
      return result;
    } catch (error) {
      if (isUniqueViolation(error, 'events.event_id')) {
        const duplicate = duplicateIdError(
          streamName,
          batch.map((event) => event.id),
          this.lookup(streamName),
        );
        if (duplicate) throw duplicate;
      }
      throw mapSqliteError(error, this.file);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.sql.readBackwards.all(streamName, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.sql.readForwards.all(streamName, options.fromRevision ?? 0, limit);
    return (rows as EventRow[]).map(toStored);
  }

  async streamRevision(streamName: string): Promise<number> {
    this.assertOpen();
    return this.currentRevision(streamName);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.page(options.after ?? null, options.maxCount ?? -1, undefined);
  }

  subscribe(
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    onError?: (error: Error) => void,
  ): Subscription {
    this.assertOpen();
    const source = {
      readPage: async (after: bigint | null, maxCount: number, prefix: string | undefined) =>
        this.page(after, maxCount, prefix),
      signal: this.signal,
      pollMs: this.pollMs,
      open: this.subscriptions,
    };
    return catchUpSubscription(source, options.after, options.streamPrefix, handler, onError);
  }

  async findEvent(eventId: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    const row = this.sql.findEvent.get(eventId.toLowerCase()) as EventRow | undefined;
    return row ? toStored(row) : undefined;
  }

  async findEvents(eventIds: readonly string[]): Promise<Map<string, StoredEvent>> {
    this.assertOpen();
    const ids = [...new Set(eventIds.map((id) => id.toLowerCase()))];
    const found = new Map<string, StoredEvent>();
    for (let start = 0; start < ids.length; start += FIND_CHUNK) {
      const chunk = ids.slice(start, start + FIND_CHUNK);
      // Ordered by position, so the first row of an id is the one findEvent answers.
      for (const row of this.findStatement(chunk.length).all(...chunk) as EventRow[]) {
        if (!found.has(row.event_id)) found.set(row.event_id, toStored(row));
      }
    }
    return found;
  }

  async listStreams(prefix: string): Promise<string[]> {
    this.assertOpen();
    return this.sql.listStreams.all({ low: prefix, high: prefix + MAX_CHAR, prefix }) as string[];
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      this.sql.ping.get();
    } catch (error) {
      throw mapSqliteError(error, this.file);
    }
  }

  /** The connection's settings as SQLite reports them (for checks and diagnostics). */
  settings(): {
    journalMode: string;
    synchronous: SqliteSynchronous | number;
    busyTimeoutMs: number;
    schemaVersion: number;
  } {
    this.assertOpen();
    const synchronous = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: synchronous === 2 ? 'FULL' : synchronous === 1 ? 'NORMAL' : synchronous,
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    this.db.close();
    this.lock.close();
  }

  /**
   * The common case, one new event at an exact expected revision, as a single self-committing
   * statement (as cheap as a plain insert): it writes only when the previous revision exists, and
   * the unique index on (stream, revision) refuses it when the stream has moved on. Anything else
   * (no row written, a unique index refusing it, another kind of expectation, a batch) returns
   * `undefined` having changed nothing, and the transaction decides: conflict, idempotent retry or
   * duplicate id, exactly as before.
   */
  private appendAtRevision(
    streamName: string,
    expected: ReturnType<typeof checkExpectedRevision>,
    batch: PreparedEvent[],
  ): AppendResult | undefined {
    if (batch.length !== 1 || expected === 'any' || expected === 'stream-exists') return undefined;
    const revision = expected === 'no-stream' ? 0 : expected + 1;
    const event = batch[0]!;
    try {
      const info = this.sql.insertAtRevision.run({
        stream: streamName,
        revision,
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      });
      if (info.changes !== 1) return undefined;
      return { nextExpectedRevision: revision, position: BigInt(info.lastInsertRowid) };
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  private appendInTransaction(
    streamName: string,
    expected: ReturnType<typeof checkExpectedRevision>,
    batch: PreparedEvent[],
  ): AppendResult {
    const current = this.currentRevision(streamName);
    const decision: AppendDecision = decideAppend(
      current,
      expected,
      batch.map((event) => event.id),
      this.lookup(streamName),
    );
    if (decision.kind === 'conflict') throw conflict(streamName, expected, current);
    if (decision.kind === 'idempotent') {
      return {
        nextExpectedRevision: decision.lastRevision,
        position: this.positionAt(streamName, decision.lastRevision),
      };
    }
    if (batch.length === 0)
      return { nextExpectedRevision: current, position: this.positionAt(streamName, current) };
    let revision = current;
    let position = 0n;
    for (const event of batch) {
      revision += 1;
      const info = this.sql.insert.run(
        streamName,
        revision,
        event.id,
        event.type,
        event.data,
        event.metadata,
      );
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  private findStatement(count: number): Statement {
    let statement = this.findStatements.get(count);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE event_id IN (${Array(count).fill('?').join(', ')}) ORDER BY position`,
      );
      this.findStatements.set(count, statement);
    }
    return statement;
  }

  private currentRevision(streamName: string): number {
    const revision = this.sql.currentRevision.get(streamName) as number | null;
    return revision ?? -1;
  }

  private positionAt(streamName: string, revision: number): bigint {
    const position = this.sql.positionAt.get(streamName, revision) as number | undefined;
    return position === undefined ? -1n : BigInt(position);
  }

  private lookup(streamName: string): StreamLookup {
    return {
      revisionOfId: (id) => this.sql.revisionOfId.get(id, streamName) as number | undefined,
      idAtRevision: (revision) => this.sql.idAtRevision.get(streamName, revision) as string | undefined,
    };
  }

  private page(after: bigint | null, maxCount: number, prefix: string | undefined): StoredEvent[] {
    this.assertOpen();
    const from = after === null ? -1 : Number(after);
    const rows =
      prefix === undefined
        ? this.sql.readAll.all(from, maxCount)
        : this.sql.readAllPrefix.all(from, prefix, prefix + MAX_CHAR, prefix, maxCount);
    return (rows as EventRow[]).map(toStored);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`The SQLite store ${this.file} is closed`);
  }
}

function prepareStatements(db: Db) {
  const pluck = (sql: string): Statement => db.prepare(sql).pluck();
  return {
    currentRevision: pluck('SELECT max(revision) FROM events WHERE stream = ?'),
    revisionOfId: pluck('SELECT revision FROM events WHERE event_id = ? AND stream = ?'),
    idAtRevision: pluck('SELECT event_id FROM events WHERE stream = ? AND revision = ?'),
    positionAt: pluck('SELECT position FROM events WHERE stream = ? AND revision = ?'),
    insert: db.prepare(
      'INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // Revision 0 starts a stream; any other needs the revision before it in place.
    insertAtRevision: db.prepare(
      `INSERT INTO events (stream, revision, event_id, type, data, metadata)
       SELECT :stream, :revision, :id, :type, :data, :metadata
       WHERE :revision = 0 OR EXISTS (SELECT 1 FROM events WHERE stream = :stream AND revision = :revision - 1)`,
    ),
    readForwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    readBackwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    readAllPrefix: db.prepare(
      `SELECT ${COLUMNS} FROM events
       WHERE position > ? AND stream >= ? AND stream < ? AND instr(stream, ?) = 1
       ORDER BY position LIMIT ?`,
    ),
    findEvent: db.prepare(`SELECT ${COLUMNS} FROM events WHERE event_id = ? ORDER BY position LIMIT 1`),
    // A skip-scan: one index seek per stream instead of a pass over every event of the prefix.
    listStreams: pluck(
      `WITH RECURSIVE names(stream) AS (
         SELECT min(stream) FROM events WHERE stream >= :low AND stream < :high
         UNION ALL
         SELECT (SELECT min(stream) FROM events WHERE stream > names.stream AND stream < :high)
         FROM names WHERE names.stream IS NOT NULL
       )
       SELECT stream FROM names WHERE stream IS NOT NULL AND instr(stream, :prefix) = 1`,
    ),
    ping: db.prepare('SELECT 1'),
  };
}

/**
 * Takes the exclusive lock of `<file>.lock`. In `locking_mode=EXCLUSIVE` SQLite keeps the lock of
 * a write transaction until the connection closes, so holding this connection open is holding
 * the lock; a second process (or a second store in this one) fails at once with SQLITE_BUSY.
 */
function acquireLock(path: string): Db {
  const lockPath = `${path}.lock`;
  let lock: Db;
  try {
    lock = new Database(lockPath);
  } catch (error) {
    throw new StoreUnavailableError(`Cannot open the lock file ${lockPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL)');
    lock.prepare('INSERT OR REPLACE INTO holder (id, pid) VALUES (1, ?)').run(process.pid);
    lock.exec('COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    if (isBusy(error)) {
      throw new StoreUnavailableError(
        `The SQLite file ${path} is locked by another process${ownerOf(path)}`,
        {
          cause: error,
        },
      );
    }
    throw new StoreUnavailableError(`Cannot lock ${lockPath}: ${(error as Error).message}`, { cause: error });
  }
}

/** Who holds the store, read from the main file (WAL lets a reader in while the owner writes). */
function ownerOf(path: string): string {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 200');
      const owner = db.prepare('SELECT pid, host, opened_at FROM store_owner WHERE id = 1').get() as
        { pid: number; host: string; opened_at: string } | undefined;
      return owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.opened_at})` : '';
    } finally {
      db.close();
    }
  } catch {
    return '';
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A unique index refused a row (naming `column` when given). */
function isUniqueViolation(error: unknown, column?: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    (column === undefined || (typeof message === 'string' && message.includes(column)))
  );
}

/** Port errors pass through; SQLite's own become {@link StoreUnavailableError} with the file named. */
function mapSqliteError(error: unknown, file: string): Error {
  if (!(error instanceof Database.SqliteError))
    return error instanceof Error ? error : new Error(String(error));
  if (isBusy(error)) {
    return new StoreUnavailableError(`The SQLite file ${file} is locked by another connection`, {
      cause: error,
    });
  }
  return new StoreUnavailableError(`SQLite failed on ${file}: ${error.message}`, { cause: error });
}

function toStored(row: EventRow): StoredEvent {
  return storedEventOf(
    row.stream,
    row.revision,
    BigInt(row.position),
    row.event_id,
    row.type,
    row.data,
    row.metadata,
  );
}
