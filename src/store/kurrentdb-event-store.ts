/**
 * The KurrentDB adapter: streams map one to one (`relation-JPN-KOR`), positions are KurrentDB's
 * commit positions, idempotency is the server's own (the port's matrix is written after it), and
 * every client error becomes one of the port's errors.
 */
import {
  ANY,
  AllStreamResolvedEvent,
  AppendStreamState,
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  Position,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import {
  AppendOptions,
  AppendResult,
  EventMetadata,
  EventStore,
  EventStoreError,
  ExpectedRevision,
  InvalidEventError,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RevisionConflictError,
  StoredEvent,
  StoreUnavailableError,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from './event-store.port';
import { checkExpectedRevision, prepareBatch } from './store-support';

/** gRPC status UNAVAILABLE, as raw errors of the transport carry it. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export interface KurrentDbStoreOptions {
  /** Deadline of the health check, in milliseconds. */
  pingDeadlineMs?: number;
}

export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly subscriptions = new Set<Subscription>();
  /** Per prefix: the stream names seen so far and the position scanned up to. */
  private readonly streamNames = new Map<string, { after: bigint | null; names: Set<string> }>();
  /** Where each event id was first stored, up to position `after` (see {@link findEvent}). */
  private readonly idIndex = {
    after: null as bigint | null,
    ids: new Map<string, { streamName: string; revision: number }>(),
  };
  private readonly internedNames = new Map<string, string>();
  private idCatchUp: Promise<void> | undefined;
  private idCatchUpNext: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly client: KurrentDBClient,
    private readonly options: KurrentDbStoreOptions,
  ) {}

  /**
   * Builds a client for `kurrentdb://…` (or the older `esdb://…`, rewritten). The client connects
   * lazily; call {@link ping} to know the server answers.
   */
  static connect(connectionString: string, options: KurrentDbStoreOptions = {}): KurrentDbEventStore {
    const normalised = connectionString.replace(
      /^esdb(\+discover)?:\/\//i,
      (_m, discover: string | undefined) => (discover ? 'kurrentdb+discover://' : 'kurrentdb://'),
    );
    let client: KurrentDBClient;
    try {
      client = KurrentDBClient.connectionString(normalised);
    } catch (error) {
      throw new StoreUnavailableError(`Invalid KurrentDB connection string: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new KurrentDbEventStore(client, options);
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = checkExpectedRevision(options.expectedRevision);
    const batch = prepareBatch(events);
    const payload = batch.map((prepared, index) =>
      jsonEvent({
        id: prepared.id,
        type: prepared.type,
        data: (events[index] as NewEvent).data,
        metadata: (events[index] as NewEvent).metadata as unknown as Record<string, unknown>,
      }),
    );
    try {
      const result = await this.client.appendToStream(streamName, payload, {
        streamState: streamStateOf(expected),
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      return { nextExpectedRevision, position: await this.positionOf(streamName, nextExpectedRevision) };
    } catch (error) {
      throw mapClientError(error, { streamName, expected });
    }
  }

  /**
   * The `$all` position of one event, read back: the append response carries the write's
   * position, which the server does not promise to be the last event's, and a checkpoint taken
   * from an append must match the positions reads and subscriptions deliver.
   */
  private async positionOf(streamName: string, revision: number): Promise<bigint> {
    if (revision < 0) return -1n;
    const read = this.client.readStream(streamName, { fromRevision: BigInt(revision), maxCount: 1 });
    for await (const resolved of read) {
      const event = toStored(resolved);
      if (event) return event.position;
    }
    return -1n;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    if (options.maxCount === 0) return [];
    const read = this.client.readStream(streamName, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision:
        options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    });
    const stored: StoredEvent[] = [];
    try {
      for await (const resolved of read) {
        const event = toStored(resolved);
        if (event) stored.push(event);
      }
    } catch (error) {
      if (errorType(error) === 'stream-not-found') return [];
      throw mapClientError(error, { streamName });
    }
    return stored;
  }

  async streamRevision(streamName: string): Promise<number> {
    const [last] = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    return last ? last.revision : -1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const stored: StoredEvent[] = [];
    if (maxCount <= 0) return stored;
    await this.scanAll(options.after ?? null, undefined, (event) => {
      stored.push(event);
      return stored.length < maxCount;
    });
    return stored;
  }

  subscribe(
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    onError?: (error: Error) => void,
  ): Subscription {
    this.assertOpen();
    const prefix = options.streamPrefix;
    let checkpoint = options.after ?? null;
    const live = this.client.subscribeToAll({
      fromPosition: checkpoint === null ? START : positionOf(checkpoint),
      filter: prefix ? streamNameFilter({ prefixes: [prefix] }) : excludeSystemEvents(),
    });
    let closing = false;
    const run = async (): Promise<void> => {
      for await (const resolved of live) {
        if (closing) return;
        const event = toStored(resolved);
        // The server starts after the checkpoint; the check also keeps a reconnect from repeating one.
        if (!event || (checkpoint !== null && event.position <= checkpoint)) continue;
        if (prefix && !event.streamName.startsWith(prefix)) continue;
        await handler(event);
        checkpoint = event.position;
      }
    };
    const done = run().catch(async (error: unknown) => {
      if (closing) return;
      closing = true;
      await live.unsubscribe().catch(() => undefined);
      const failure =
        error instanceof EventStoreError ? error : error instanceof Error ? error : new Error(String(error));
      if (onError) onError(isKnownClientError(failure) ? mapClientError(failure, {}) : failure);
    });
    const subscription: Subscription = {
      close: async () => {
        this.subscriptions.delete(subscription);
        if (!closing) {
          closing = true;
          await live.unsubscribe().catch(() => undefined);
        }
        await done;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * KurrentDB has no index by event id, so this keeps one in memory: built by reading `$all` on
   * the first call, then brought up to date with only what was appended since. Concurrent calls
   * share one catch-up, so checking a thousand ids costs one read of the new events, not a
   * thousand scans. Roughly 160 bytes per stored event.
   */
  async findEvent(eventId: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    await this.catchUpIdIndex();
    const where = this.idIndex.ids.get(eventId.toLowerCase());
    if (!where) return undefined;
    const [event] = await this.readStream(where.streamName, { fromRevision: where.revision, maxCount: 1 });
    return event;
  }

  /** {@link findEvent} for many ids: one catch-up of the id index, then one read per id found. */
  async findEvents(eventIds: readonly string[]): Promise<Map<string, StoredEvent>> {
    this.assertOpen();
    await this.catchUpIdIndex();
    const found = new Map<string, StoredEvent>();
    const wanted = new Set(eventIds.map((id) => id.toLowerCase()));
    await Promise.all(
      [...wanted].map(async (id) => {
        const where = this.idIndex.ids.get(id);
        if (!where) return;
        const [event] = await this.readStream(where.streamName, {
          fromRevision: where.revision,
          maxCount: 1,
        });
        if (event) found.set(id, event);
      }),
    );
    return found;
  }

  /**
   * Brings the id index up to date with everything stored before this call. A catch-up already
   * running may have passed the end before the caller's events were stored, so callers that
   * arrive meanwhile share one more catch-up that starts when it ends.
   */
  private catchUpIdIndex(): Promise<void> {
    if (!this.idCatchUp) {
      this.idCatchUp = this.scanIds().finally(() => {
        this.idCatchUp = undefined;
      });
      return this.idCatchUp;
    }
    this.idCatchUpNext ??= this.idCatchUp
      .catch(() => undefined)
      .then(() => {
        this.idCatchUpNext = undefined;
        return this.catchUpIdIndex();
      });
    return this.idCatchUpNext;
  }

  private scanIds(): Promise<void> {
    return this.scanAll(this.idIndex.after, undefined, (event) => {
      const id = event.id.toLowerCase();
      // The first stored wins: the same id may be reused in another stream later.
      if (!this.idIndex.ids.has(id)) {
        const streamName = this.internedNames.get(event.streamName) ?? event.streamName;
        this.internedNames.set(streamName, streamName);
        this.idIndex.ids.set(id, { streamName, revision: event.revision });
      }
      this.idIndex.after = event.position;
      return true;
    });
  }

  /**
   * KurrentDB lists streams only through system projections, which a plain node may not run; so
   * this reads `$all` filtered by the prefix, once, then only what was appended since.
   */
  async listStreams(prefix: string): Promise<string[]> {
    this.assertOpen();
    const seen = this.streamNames.get(prefix) ?? { after: null, names: new Set<string>() };
    await this.scanAll(seen.after, prefix, (event) => {
      seen.names.add(event.streamName);
      seen.after = event.position;
      return true;
    });
    this.streamNames.set(prefix, seen);
    return [...seen.names].sort();
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      const read = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: this.options.pingDeadlineMs ?? 2000,
      });
      for await (const _event of read) break;
    } catch (error) {
      throw mapClientError(error, {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
    await this.client.dispose();
  }

  /** Reads `$all` forwards strictly after `after`, user events only, until `visit` returns false. */
  private async scanAll(
    after: bigint | null,
    prefix: string | undefined,
    visit: (event: StoredEvent) => boolean,
  ): Promise<void> {
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: after === null ? START : positionOf(after),
      filter: prefix ? streamNameFilter({ prefixes: [prefix] }) : excludeSystemEvents(),
    });
    try {
      for await (const resolved of read) {
        const event = toStored(resolved);
        if (!event || (after !== null && event.position <= after)) continue;
        if (prefix && !event.streamName.startsWith(prefix)) continue;
        if (!visit(event)) break;
      }
    } catch (error) {
      throw mapClientError(error, {});
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('The KurrentDB store is closed');
  }
}

function streamStateOf(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no-stream') return NO_STREAM;
  if (expected === 'stream-exists') return STREAM_EXISTS;
  return BigInt(expected);
}

/** Positions of user events have equal commit and prepare parts; a checkpoint keeps the commit part. */
function positionOf(commit: bigint): Position {
  return { commit, prepare: commit };
}

function toStored(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || !event.isJson) return undefined;
  const position = event.position?.commit ?? resolved.commitPosition;
  if (position === undefined) return undefined;
  return {
    id: event.id,
    type: event.type,
    streamName: event.streamId,
    revision: Number(event.revision),
    position,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as unknown as EventMetadata,
  };
}

function errorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

function isKnownClientError(error: unknown): boolean {
  return errorType(error) !== undefined || typeof (error as { code?: unknown } | null)?.code === 'number';
}

/**
 * Every client error, as the port's: a wrong expected version is a conflict with the actual
 * revision; anything about reaching the server (unavailable, raw gRPC 14, deadlines, a follower
 * answering, access) is "unavailable"; a too-large append is an invalid event.
 */
export function mapClientError(
  error: unknown,
  context: { streamName?: string; expected?: ExpectedRevision },
): EventStoreError {
  if (error instanceof EventStoreError) return error;
  const type = errorType(error);
  const message = error instanceof Error ? error.message : String(error);
  if (type === 'wrong-expected-version') {
    const wrong = error as { streamName?: string; actualState?: unknown };
    const actual = typeof wrong.actualState === 'bigint' ? Number(wrong.actualState) : -1;
    return new RevisionConflictError(
      context.streamName ?? wrong.streamName ?? '',
      context.expected ?? 'any',
      actual,
    );
  }
  if (
    type === 'maximum-append-size-exceeded' ||
    type === 'append-record-size-exceeded' ||
    type === 'transaction-max-size-exceeded' ||
    type === 'invalid-argument'
  ) {
    return new InvalidEventError(`KurrentDB refused the batch: ${message}`);
  }
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    type === 'not-leader'
      ? 'answered by a node that is not the leader'
      : type === 'access-denied'
        ? 'refused access'
        : type === 'stream-deleted' || type === 'stream-tombstoned'
          ? 'has deleted the stream'
          : code === GRPC_UNAVAILABLE || type === 'unavailable'
            ? 'is unavailable'
            : code === GRPC_DEADLINE_EXCEEDED || type === 'deadline-exceeded' || type === 'timeout'
              ? 'did not answer in time'
              : 'failed';
  return new StoreUnavailableError(`KurrentDB ${reason}: ${message}`, { cause: error });
}
