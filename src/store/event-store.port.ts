/**
 * The EventStore port: the one small interface every store adapter (memory, SQLite, KurrentDB)
 * implements, and the one contract suite (test/contract) checks. No Nest here: the composition
 * root binds an adapter to {@link EVENT_STORE}.
 *
 * Semantics follow KurrentDB's, so an application written against the port behaves the same on
 * every store: stream revisions are 0-based; `expectedRevision` is `'any'`, `'no-stream'`,
 * `'stream-exists'` or the exact revision of the stream's last event; a batch is atomic; event ids
 * make appends idempotent.
 *
 * The idempotency matrix (KurrentDB's rules, which the memory and SQLite stores reproduce exactly):
 * - `expectedRevision` exact (or `'no-stream'`, i.e. -1) and behind the stream: the stored events
 *   right after it are compared with the batch. All ids equal: success, nothing stored, the original
 *   result. The first differs: {@link RevisionConflictError}. The first equal but a later one differs
 *   (an overlapping batch): {@link RevisionConflictError}, nothing stored.
 * - `'any'` or `'stream-exists'`: the batch's ids are looked up in the stream. All found: success,
 *   nothing stored, the original result. The first found but not all: {@link RevisionConflictError}.
 *   The first not found: the batch is appended.
 * - When the batch is appended (exact revision equal to the stream's, or the `'any'` case above), an
 *   id already stored in that stream is refused by the memory and SQLite stores with
 *   {@link EventIdConflictError}; KurrentDB does not check and stores the duplicate. Callers that
 *   need "an id is stored once" check with {@link EventStore.findEvent} first.
 * - The same id in another stream is a different event on every store.
 */

export const EVENT_STORE = Symbol('EVENT_STORE');

export type StoreKind = 'memory' | 'sqlite' | 'kurrentdb';

/** Metadata the domain keeps with every event (also part of the hash chain, except `hash`). */
export interface EventMetadata {
  recordedAt: string;
  recordedBy: string;
  schemaVersion: number;
  prevHash: string;
  hash: string;
}

/** An event to append. `data` is a JSON object; `id` a UUID chosen by the caller. */
export interface NewEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/** An event as the store returns it. */
export interface StoredEvent extends NewEvent {
  streamName: string;
  /** 0-based position in its stream. */
  revision: number;
  /** Position in the store's global order (all streams); strictly increasing in append order. */
  position: bigint;
}

export type ExpectedRevision = 'any' | 'no-stream' | 'stream-exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** Global position of the batch's last event. */
  position: bigint;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; default the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position; default the beginning. */
  after?: bigint;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it; default the beginning. */
  after?: bigint;
  /** Only streams whose name starts with this prefix (e.g. `relation-`). */
  streamPrefix?: string;
}

/**
 * A catch-up subscription: delivers stored events in global order, then live ones, each once,
 * awaiting the handler before the next. Resuming with the last handled position loses nothing.
 */
export interface Subscription {
  close(): Promise<void>;
}

export type SubscriptionHandler = (event: StoredEvent) => void | Promise<void>;

export interface EventStore {
  readonly kind: StoreKind;
  /** Appends atomically; throws {@link RevisionConflictError} when `expectedRevision` does not hold. */
  append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Reads one stream; an unknown stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Revision of the stream's last event, -1 when the stream does not exist. */
  streamRevision(streamName: string): Promise<number>;
  /** Reads every stream in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribe(
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    onError?: (error: Error) => void,
  ): Subscription;
  /**
   * The first stored event (lowest position) with this id, in any stream; `undefined` when none.
   * Indexed on SQLite and memory; on KurrentDB, which has no such index, the adapter keeps one in
   * memory, built from `$all` on first use and caught up incrementally.
   */
  findEvent(eventId: string): Promise<StoredEvent | undefined>;
  /**
   * {@link findEvent} for many ids in one call (SQLite: a few `IN (…)` queries; KurrentDB: one
   * catch-up of its id index). The map holds, under each id in lower case, the first stored event
   * with that id; ids stored nowhere are absent. Repeated ids are looked up once.
   */
  findEvents(eventIds: readonly string[]): Promise<Map<string, StoredEvent>>;
  /** Names of the streams whose names begin with `prefix`, sorted. */
  listStreams(prefix: string): Promise<string[]>;
  /** Throws {@link StoreUnavailableError} when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Base of every error the port throws; `code` is stable. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not at the expected revision. `actualRevision` is -1 when it does not exist. */
export class RevisionConflictError extends EventStoreError {
  readonly code = 'revision-conflict';
  constructor(
    readonly streamName: string,
    readonly expectedRevision: ExpectedRevision,
    readonly actualRevision: number,
  ) {
    super(
      `Stream ${streamName} expected at revision ${String(expectedRevision)} but is at ${actualRevision}`,
    );
    this.name = 'RevisionConflictError';
  }
}

/**
 * An event id of the batch is already stored in that stream, and the append was not an idempotent
 * retry (see the matrix above). Nothing of the batch was stored.
 */
export class EventIdConflictError extends EventStoreError {
  readonly code = 'event-id-conflict';
  constructor(
    readonly streamName: string,
    readonly eventId: string,
    /** Revision at which the id is already stored. */
    readonly storedRevision: number,
  ) {
    super(`Event ${eventId} is already stored in ${streamName} at revision ${storedRevision}`);
    this.name = 'EventIdConflictError';
  }
}

/** The store cannot be reached or is not usable (network down, file locked by another process). */
export class StoreUnavailableError extends EventStoreError {
  readonly code = 'store-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** An event was refused by the store itself (e.g. too large, malformed). */
export class InvalidEventError extends EventStoreError {
  readonly code = 'invalid-event';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** The prefix of every relation stream: `relation-JPN-KOR`. */
export const RELATION_STREAM_PREFIX = 'relation-';
