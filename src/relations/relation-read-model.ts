import { Inject, Injectable } from '@nestjs/common';
import type { PairId, RecordedEvent } from '../../events/catalogue';
import { pairOfStream, streamNameOf } from '../../events/countries';
import { MetricsService } from '../metrics/metrics.service';
import { EVENT_STORE, RELATION_STREAM_PREFIX, type EventStore } from '../store/event-store.port';
import { snapshotsAt, stateAt, type RelationSnapshot, type RelationState } from './domain';
import { fromStored } from './event-codec';

/** Injection token of the {@link RelationReadModel}: switching implementations is one binding. */
export const RELATION_READ_MODEL = Symbol('RELATION_READ_MODEL');

/**
 * Everything the API and CLI read about relations goes through this. Implementations may cache,
 * but must answer exactly as if they had read the store at the time of the call; `appended` and
 * `forget` are how writers keep a cache honest.
 */
export interface RelationReadModel {
  /** The pair's events in revision order, upcast to the current schema (empty when none). */
  events(pair: PairId): Promise<readonly RecordedEvent[]>;
  /**
   * The same events with an index by id, taken at one moment. The index may grow with later
   * appends: read it before the next `await`.
   */
  indexedEvents(pair: PairId): Promise<IndexedEvents>;
  /** The pair's last revision, -1 when it has no events. */
  revision(pair: PairId): Promise<number>;
  /** The state as of a date (`YYYY-MM-DD`) as known at an instant (ISO 8601). */
  state(pair: PairId, asOf: string, knownAt: string): Promise<RelationState>;
  /** The state at each date (`YYYY-MM-DD`, ascending), as known at an instant. */
  snapshots(pair: PairId, dates: readonly string[], knownAt: string): Promise<RelationSnapshot[]>;
  /** Every pair with at least one event, sorted. */
  pairs(): Promise<PairId[]>;
  /** Called after this process appended `events` (consecutive revisions) to `pair`. */
  appended(pair: PairId, events: readonly RecordedEvent[]): void;
  /** Called when another writer moved the pair's stream (a revision conflict): drop what is cached. */
  forget(pair: PairId): void;
}

/** A pair's events in revision order and by id. */
export interface IndexedEvents {
  events: readonly RecordedEvent[];
  byId: ReadonlyMap<string, RecordedEvent>;
}

/** The straightforward read model: reads and decodes the stream on every call, caches nothing. */
@Injectable()
export class StoreRelationReadModel implements RelationReadModel {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: MetricsService,
  ) {}

  async events(pair: PairId): Promise<readonly RecordedEvent[]> {
    this.metrics.cacheMisses.inc();
    const stored = await this.metrics.timeStore('readStream', () =>
      this.store.readStream(streamNameOf(pair)),
    );
    return stored.map(fromStored);
  }

  async indexedEvents(pair: PairId): Promise<IndexedEvents> {
    const events = await this.events(pair);
    return { events, byId: new Map(events.map((event) => [event.id, event])) };
  }

  revision(pair: PairId): Promise<number> {
    return this.metrics.timeStore('streamRevision', () => this.store.streamRevision(streamNameOf(pair)));
  }

  async state(pair: PairId, asOf: string, knownAt: string): Promise<RelationState> {
    return stateAt(await this.events(pair), { pair, asOf, knownAt });
  }

  async snapshots(pair: PairId, dates: readonly string[], knownAt: string): Promise<RelationSnapshot[]> {
    return snapshotsAt(await this.events(pair), { pair, dates: [...dates], knownAt });
  }

  async pairs(): Promise<PairId[]> {
    const streams = await this.metrics.timeStore('listStreams', () =>
      this.store.listStreams(RELATION_STREAM_PREFIX),
    );
    return streams.map((name) => pairOfStream(name)).filter((pair): pair is PairId => pair !== undefined);
  }

  appended(): void {
    // Nothing cached, nothing to update.
  }

  forget(): void {
    // Nothing cached, nothing to drop.
  }
}
