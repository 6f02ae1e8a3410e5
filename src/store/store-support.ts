/**
 * What every adapter shares: checking a batch before it reaches the store, KurrentDB's
 * idempotency decision (so the memory and SQLite stores answer exactly as KurrentDB does), and
 * the catch-up subscription loop of the stores that live in this process.
 */
import {
  EventIdConflictError,
  ExpectedRevision,
  InvalidEventError,
  NewEvent,
  RevisionConflictError,
  StoredEvent,
  Subscription,
  SubscriptionHandler,
} from './event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TYPE_LENGTH = 200;

/** A checked event with its JSON already serialised, so a store never stringifies twice. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/**
 * Checks every event of a batch before anything is written, so that an invalid event fails the
 * whole batch on every store the same way. Ids are UUIDs (KurrentDB requires it), compared in
 * lower case (KurrentDB returns them so); an id repeated inside one batch is refused because no
 * store could read such a batch back unambiguously.
 */
export function prepareBatch(events: readonly NewEvent[]): PreparedEvent[] {
  if (!Array.isArray(events)) throw new InvalidEventError('events must be an array');
  const seen = new Set<string>();
  const prepared: PreparedEvent[] = [];
  events.forEach((event, index) => {
    const where = `event ${index}`;
    if (typeof event !== 'object' || event === null) throw new InvalidEventError(`${where} is not an object`);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidEventError(`${where}: id must be a UUID`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new InvalidEventError(`${where}: id ${id} appears twice in the batch`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > MAX_TYPE_LENGTH) {
      throw new InvalidEventError(`${where}: type must be a non-empty string of at most ${MAX_TYPE_LENGTH}`);
    }
    if (!isPlainObject(event.data)) throw new InvalidEventError(`${where}: data must be a JSON object`);
    if (!isPlainObject(event.metadata))
      throw new InvalidEventError(`${where}: metadata must be a JSON object`);
    prepared.push({
      id,
      type: event.type,
      data: toJson(event.data, `${where}: data`),
      metadata: toJson(event.metadata, `${where}: metadata`),
    });
  });
  return prepared;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new InvalidEventError(`${what} is not serialisable as JSON (${(error as Error).message})`);
  }
}

/** How a store answers the events already in the stream (by id, or by revision). */
export interface StreamLookup {
  /** Revision of the event with this (lower-case) id in the stream, if stored there. */
  revisionOfId(id: string): number | undefined;
  /** Id of the event at this revision of the stream, if any. */
  idAtRevision(revision: number): string | undefined;
}

export type AppendDecision =
  { kind: 'append' } | { kind: 'idempotent'; lastRevision: number } | { kind: 'conflict' };

/**
 * KurrentDB's commit check (IndexWriter.CheckCommit) for one batch against a stream whose last
 * revision is `current` (-1 when absent). The store throws the conflict itself, with its state.
 */
export function decideAppend(
  current: number,
  expected: ExpectedRevision,
  ids: readonly string[],
  lookup: StreamLookup,
): AppendDecision {
  if (expected === 'stream-exists' && current < 0) return { kind: 'conflict' };
  if (expected === 'any' || expected === 'stream-exists') {
    let lastRevision = -1;
    for (const [index, id] of ids.entries()) {
      const revision = lookup.revisionOfId(id);
      if (revision === undefined) return index === 0 ? { kind: 'append' } : { kind: 'conflict' };
      lastRevision = revision;
    }
    return ids.length === 0 ? { kind: 'append' } : { kind: 'idempotent', lastRevision };
  }
  const exact = expected === 'no-stream' ? -1 : expected;
  if (exact > current) return { kind: 'conflict' };
  if (exact === current) return { kind: 'append' };
  if (ids.length === 0) return { kind: 'conflict' };
  for (const [index, id] of ids.entries()) {
    if (lookup.idAtRevision(exact + 1 + index) !== id) return { kind: 'conflict' };
  }
  return { kind: 'idempotent', lastRevision: exact + ids.length };
}

/** Validates an `expectedRevision` given by a caller; the type system cannot stop JavaScript. */
export function checkExpectedRevision(value: ExpectedRevision | undefined): ExpectedRevision {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no-stream' || value === 'stream-exists') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= -1) {
    return value === -1 ? 'no-stream' : value;
  }
  throw new InvalidEventError(
    `expectedRevision ${String(value)} is not any, no-stream, stream-exists or a revision`,
  );
}

export function conflict(
  streamName: string,
  expected: ExpectedRevision,
  current: number,
): RevisionConflictError {
  return new RevisionConflictError(streamName, expected, current);
}

/** The first id of the batch already stored in the stream, for {@link EventIdConflictError}. */
export function duplicateIdError(
  streamName: string,
  ids: readonly string[],
  lookup: Pick<StreamLookup, 'revisionOfId'>,
): EventIdConflictError | undefined {
  for (const id of ids) {
    const revision = lookup.revisionOfId(id);
    if (revision !== undefined) return new EventIdConflictError(streamName, id, revision);
  }
  return undefined;
}

/** Builds a {@link StoredEvent} from its stored JSON columns. */
export function storedEventOf(
  streamName: string,
  revision: number,
  position: bigint,
  id: string,
  type: string,
  data: string,
  metadata: string,
): StoredEvent {
  return {
    id,
    type,
    streamName,
    revision,
    position,
    data: JSON.parse(data) as StoredEvent['data'],
    metadata: JSON.parse(metadata) as StoredEvent['metadata'],
  };
}

/** Wakes waiting subscriptions when this process appends. */
export class AppendSignal {
  private waiters = new Set<() => void>();
  /** Counts appends, so a reader can tell one happened between its read and its wait. */
  version = 0;

  notify(): void {
    this.version += 1;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the next {@link notify}, after `timeoutMs`, or when `abort` fires; at once when
   * an append happened since `seenVersion`.
   */
  wait(timeoutMs: number, abort: AbortSignal, seenVersion: number): Promise<void> {
    if (this.version !== seenVersion || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      abort.addEventListener('abort', done, { once: true });
    });
  }
}

export interface CatchUpSource {
  /** Events strictly after `after` (null: from the beginning), in global order, of streams with the prefix. */
  readPage(after: bigint | null, maxCount: number, streamPrefix: string | undefined): Promise<StoredEvent[]>;
  signal: AppendSignal;
  /** How long to sleep when caught up and nothing was appended in this process. */
  pollMs: number;
  /** The store's open subscriptions: each is in it until closed (the store closes the rest when it closes). */
  open: Set<Subscription>;
}

const PAGE_SIZE = 500;

/**
 * A catch-up subscription over a store that can be re-read by position: reads pages after the
 * last delivered position, then sleeps until an append in this process (or the poll interval,
 * for writers elsewhere). The checkpoint only moves after the handler resolves, so nothing is
 * skipped; a handler that throws stops the subscription and goes to `onError`, because going on
 * would leave a gap in the read model.
 */
export function catchUpSubscription(
  source: CatchUpSource,
  after: bigint | undefined,
  streamPrefix: string | undefined,
  handler: SubscriptionHandler,
  onError: ((error: Error) => void) | undefined,
): Subscription {
  const abort = new AbortController();
  let checkpoint: bigint | null = after ?? null;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      const seenVersion = source.signal.version;
      const page = await source.readPage(checkpoint, PAGE_SIZE, streamPrefix);
      for (const event of page) {
        if (abort.signal.aborted) return;
        await handler(event);
        checkpoint = event.position;
      }
      if (page.length < PAGE_SIZE) await source.signal.wait(source.pollMs, abort.signal, seenVersion);
    }
  };
  const done = run().catch((error: unknown) => {
    if (abort.signal.aborted) return;
    abort.abort();
    const failure = error instanceof Error ? error : new Error(String(error));
    if (onError) onError(failure);
  });
  const subscription: Subscription = {
    async close(): Promise<void> {
      source.open.delete(subscription);
      abort.abort();
      await done;
    },
  };
  source.open.add(subscription);
  return subscription;
}
