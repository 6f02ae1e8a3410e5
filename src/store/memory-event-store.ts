/**
 * The in-memory store: the reference semantics of the port, used by tests and by
 * `EVENT_STORE=memory`. Events are kept as JSON text, exactly as SQLite keeps them, so a caller
 * can never mutate what was stored and every read returns fresh objects.
 */
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
import {
  AppendSignal,
  catchUpSubscription,
  checkExpectedRevision,
  conflict,
  decideAppend,
  duplicateIdError,
  prepareBatch,
  StreamLookup,
  storedEventOf,
} from './store-support';

interface Row {
  streamName: string;
  revision: number;
  position: bigint;
  id: string;
  type: string;
  data: string;
  metadata: string;
}

interface Stream {
  rows: Row[];
  byId: Map<string, number>;
}

export class MemoryEventStore implements EventStore {
  readonly kind = 'memory' as const;
  private readonly all: Row[] = [];
  private readonly streams = new Map<string, Stream>();
  private readonly signal = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  async append(
    streamName: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = checkExpectedRevision(options.expectedRevision);
    const batch = prepareBatch(events);
    const stream = this.streams.get(streamName);
    const current = stream ? stream.rows.length - 1 : -1;
    const lookup = lookupOf(stream);
    const ids = batch.map((event) => event.id);
    const decision = decideAppend(current, expected, ids, lookup);
    if (decision.kind === 'conflict') throw conflict(streamName, expected, current);
    if (decision.kind === 'idempotent') {
      const last = stream?.rows[decision.lastRevision];
      return { nextExpectedRevision: decision.lastRevision, position: last ? last.position : -1n };
    }
    const duplicate = duplicateIdError(streamName, ids, lookup);
    if (duplicate) throw duplicate;
    if (batch.length === 0) {
      return { nextExpectedRevision: current, position: stream?.rows[current]?.position ?? -1n };
    }
    const target = stream ?? { rows: [], byId: new Map<string, number>() };
    if (!stream) this.streams.set(streamName, target);
    let position = BigInt(this.all.length);
    for (const event of batch) {
      position += 1n;
      const row: Row = { streamName, revision: target.rows.length, position, ...event };
      target.byId.set(event.id, row.revision);
      target.rows.push(row);
      this.all.push(row);
    }
    this.signal.notify();
    return { nextExpectedRevision: target.rows.length - 1, position };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const rows = this.streams.get(streamName)?.rows ?? [];
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const selected: Row[] = [];
    if (options.direction === 'backwards') {
      for (let r = Math.min(options.fromRevision ?? rows.length - 1, rows.length - 1); r >= 0; r -= 1) {
        if (selected.length >= maxCount) break;
        selected.push(rows[r] as Row);
      }
    } else {
      for (let r = Math.max(options.fromRevision ?? 0, 0); r < rows.length; r += 1) {
        if (selected.length >= maxCount) break;
        selected.push(rows[r] as Row);
      }
    }
    return selected.map(toStored);
  }

  async streamRevision(streamName: string): Promise<number> {
    this.assertOpen();
    return (this.streams.get(streamName)?.rows.length ?? 0) - 1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.page(options.after ?? null, options.maxCount ?? Number.MAX_SAFE_INTEGER, undefined);
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
      pollMs: 60_000,
      open: this.subscriptions,
    };
    return catchUpSubscription(source, options.after, options.streamPrefix, handler, onError);
  }

  async findEvent(eventId: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    const first = this.firstRowWithId(eventId.toLowerCase());
    return first ? toStored(first) : undefined;
  }

  async findEvents(eventIds: readonly string[]): Promise<Map<string, StoredEvent>> {
    this.assertOpen();
    const found = new Map<string, StoredEvent>();
    for (const eventId of eventIds) {
      const id = eventId.toLowerCase();
      if (found.has(id)) continue;
      const first = this.firstRowWithId(id);
      if (first) found.set(id, toStored(first));
    }
    return found;
  }

  private firstRowWithId(id: string): Row | undefined {
    let first: Row | undefined;
    for (const stream of this.streams.values()) {
      const revision = stream.byId.get(id);
      const row = revision === undefined ? undefined : stream.rows[revision];
      if (row && (!first || row.position < first.position)) first = row;
    }
    return first;
  }

  async listStreams(prefix: string): Promise<string[]> {
    this.assertOpen();
    return [...this.streams.keys()].filter((name) => name.startsWith(prefix)).sort();
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.closed = true;
  }

  private page(after: bigint | null, maxCount: number, prefix: string | undefined): StoredEvent[] {
    this.assertOpen();
    // Positions are 1-based indexes into `all`, so the first row after `after` is all[after].
    const start = after === null || after < 0n ? 0 : Number(after);
    const selected: StoredEvent[] = [];
    for (let index = start; index < this.all.length && selected.length < maxCount; index += 1) {
      const row = this.all[index] as Row;
      if (prefix === undefined || row.streamName.startsWith(prefix)) selected.push(toStored(row));
    }
    return selected;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('The memory store is closed');
  }
}

function lookupOf(stream: Stream | undefined): StreamLookup {
  return {
    revisionOfId: (id) => stream?.byId.get(id),
    idAtRevision: (revision) => stream?.rows[revision]?.id,
  };
}

function toStored(row: Row): StoredEvent {
  return storedEventOf(row.streamName, row.revision, row.position, row.id, row.type, row.data, row.metadata);
}
