import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { getHeapStatistics } from 'node:v8';
import type { PairId, RecordedEvent } from '../../events/catalogue';
import { pairOfStream, streamNameOf } from '../../events/countries';
import type { RelationState } from '../../projections/state.types';
import { DEFAULT_READ_MODEL_CACHE_MB } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { IndexedEvents, RelationReadModel } from '../relations/relation-read-model';
import { fromStored } from '../relations/event-codec';
import {
  EVENT_STORE,
  RELATION_STREAM_PREFIX,
  type EventStore,
  type StoredEvent,
  type Subscription,
} from '../store/event-store.port';
import { PairProjection } from './pair-projection';

/** Injection token of the cache's {@link ReadModelCacheOptions} (optional: defaults apply). */
export const READ_MODEL_CACHE_OPTIONS = Symbol('READ_MODEL_CACHE_OPTIONS');

/** Bounds and tuning of the cache. */
export interface ReadModelCacheOptions {
  /** Most events held across all cached pairs; least recently used pairs go first. */
  maxEvents: number;
  /**
   * Most room held by the cached pairs' checkpoints, in slots of about a pointer (see
   * {@link PairProjection.checkpointSlots}); least recently used pairs go first. Checkpoints grow
   * with the questions a pair is asked and with the length of its state's lists, not with its
   * events, so they are bounded on their own.
   */
  maxCheckpointSlots: number;
  /** Most pairs held. */
  maxPairs: number;
  /** Fewest fold items between two checkpoints of a pair. */
  checkpointEvery: number;
  /** Most checkpoints per pair (large pairs space them further apart). */
  maxCheckpoints: number;
  /** Wait before re-subscribing after the subscription failed. */
  resubscribeMs: number;
  /**
   * Whether to follow the store's subscription for events other processes append. `auto`: for
   * every store but SQLite, whose file lock makes this process its only writer (every append then
   * reaches the cache through {@link RelationReadModel.appended}, and following would only re-read
   * each appended row).
   */
  follow: 'auto' | 'always' | 'never';
}

/**
 * What the cache holds per MiB of heap it may fill; the default budget, 256 MiB, holds 80,000
 * events and 6 million checkpoint slots. With it and a 384 MB V8 heap, a server on a million-event
 * store stays under 512 MB resident and still has room to collect garbage without stalling.
 *
 * A cached event costs about 2 KB of heap (measured: the decoded envelope with its sources and
 * hashes ~1.8 KB, fold items and checkpoints the rest), so 80,000 take ~165 MB.
 *
 * Slots: measured on the benchmark's pairs of ~1,000 events after thousands of questions at random
 * dates, ~53,000 slots a pair, ~15 bytes of heap each with what goes with them (49 MB for 60
 * pairs); pairs whose states list ~500 entries take ~260,000 (3.4 MB). Six million slots (~90 MB)
 * hold the benchmark's 60 hot pairs and its 5,000-event pair with room to spare, and keep ~23 such
 * heavy pairs, where the event bound alone would let 80 of them take ~270 MB.
 */
const EVENTS_PER_MIB = 80_000 / DEFAULT_READ_MODEL_CACHE_MB;
const SLOTS_PER_MIB = 6_000_000 / DEFAULT_READ_MODEL_CACHE_MB;

/** The most of V8's heap limit a cache's budget should take: the rest is for answers and garbage. */
const HEAP_SHARE = 2 / 3;

/** The least heap limit (MiB, `--max-old-space-size`) for a cache budget of `budgetMib`. */
export function heapLimitForCache(budgetMib: number): number {
  return Math.ceil(budgetMib / HEAP_SHARE);
}

/** The cache's bounds for a budget of `megabytes` MiB of heap (`READ_MODEL_CACHE_MB`). */
export function cacheBoundsFor(
  megabytes: number,
): Pick<ReadModelCacheOptions, 'maxEvents' | 'maxCheckpointSlots'> {
  return {
    maxEvents: Math.round(megabytes * EVENTS_PER_MIB),
    maxCheckpointSlots: Math.round(megabytes * SLOTS_PER_MIB),
  };
}

export const DEFAULT_CACHE_OPTIONS: ReadModelCacheOptions = {
  ...cacheBoundsFor(DEFAULT_READ_MODEL_CACHE_MB),
  maxPairs: 10_000,
  // A checkpoint is a state's lists over entries it shares with the others (the fold replaces
  // entries, never changes them), so dense checkpoints are cheap. Measured in process on 60 cached
  // pairs of ~1,000 events of the benchmark's record, random dates: every 4 items instead of 16,
  // state and its JSON 87 → 67 µs (fewer fresh entries to fold and encode), heap +4 MB (~5 %),
  // building all of a pair's checkpoints 2.3 → 3.4 ms once; every 2 gained nothing more.
  checkpointEvery: 4,
  maxCheckpoints: 256,
  resubscribeMs: 1000,
  follow: 'auto',
};

/**
 * The read model with a per-pair projection cache: decoded events and fold checkpoints of the
 * most recently used pairs, bounded by events and pairs (LRU), loaded lazily (a restart reads
 * nothing up front), extended by this process's appends and by the store's subscription, so
 * several instances on one KurrentDB see each other's events. Answers equal the uncached read
 * model's on the same events.
 */
@Injectable()
export class CachedRelationReadModel implements RelationReadModel, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CachedRelationReadModel.name);
  private readonly options: ReadModelCacheOptions;
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly cache = new Map<PairId, PairProjection>();
  private cachedEvents = 0;
  private cachedSlots = 0;
  /** The checkpoint slots counted in {@link cachedSlots} for each cached projection. */
  private readonly countedSlots = new WeakMap<PairProjection, number>();
  /** Loads in flight, shared by concurrent questions; events arriving meanwhile wait in `buffered`. */
  private readonly loading = new Map<PairId, Promise<PairProjection>>();
  private readonly buffered = new Map<PairId, RecordedEvent[]>();
  private knownPairs: Set<PairId> | undefined;
  private subscription: Subscription | undefined;
  /** Position of the last event the subscription handled (or the store's end when it started). */
  private checkpoint: bigint | undefined;
  /** Resolves once the subscription's starting point is fixed; loads wait for it so none is missed. */
  private ready: Promise<void> = Promise.resolve();
  private closed = false;
  private resubscribeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: MetricsService,
    @Optional() @Inject(READ_MODEL_CACHE_OPTIONS) options?: Partial<ReadModelCacheOptions>,
  ) {
    this.options = { ...DEFAULT_CACHE_OPTIONS, ...options };
    metrics.watchReadModelCache(() => ({
      ...this.stats,
      maxEvents: this.options.maxEvents,
      maxCheckpointSlots: this.options.maxCheckpointSlots,
    }));
  }

  onModuleInit(): void {
    // A full cache with no room left to collect garbage in would stall every answer, then crash.
    const budgetMib = Math.max(
      this.options.maxEvents / EVENTS_PER_MIB,
      this.options.maxCheckpointSlots / SLOTS_PER_MIB,
    );
    const heapMib = getHeapStatistics().heap_size_limit / 2 ** 20;
    if (budgetMib > heapMib * HEAP_SHARE) {
      this.logger.warn(
        `The read-model cache may fill ~${Math.round(budgetMib)} MiB of heap, more than ` +
          `${Math.round(HEAP_SHARE * 100)} % of this process's heap limit (${Math.round(heapMib)} MiB): ` +
          `lower READ_MODEL_CACHE_MB or raise the limit (NODE_OPTIONS=--max-old-space-size=` +
          `${heapLimitForCache(budgetMib)}).`,
      );
    }
    const follow =
      this.options.follow === 'auto' ? this.store.kind !== 'sqlite' : this.options.follow === 'always';
    if (follow) this.ready = this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    await this.subscription?.close();
    this.subscription = undefined;
  }

  async events(pair: PairId): Promise<readonly RecordedEvent[]> {
    return (await this.projection(pair)).events;
  }

  // The index by id is kept with the projection, beside its events (a few pointers an event
  // against the event's own kilobyte or so, so the cache's weighing by events covers it).
  async indexedEvents(pair: PairId): Promise<IndexedEvents> {
    const projection = await this.projection(pair);
    return { events: projection.events, byId: projection.byId };
  }

  async revision(pair: PairId): Promise<number> {
    const cached = this.cache.get(pair);
    if (cached) return cached.revision;
    return (await this.projection(pair)).revision;
  }

  async state(pair: PairId, asOf: string, knownAt: string): Promise<RelationState> {
    const projection = await this.projection(pair);
    const state = projection.state(asOf, knownAt);
    this.reweigh(pair, projection);
    return state;
  }

  async snapshots(
    pair: PairId,
    dates: readonly string[],
    knownAt: string,
  ): Promise<Array<{ date: string; state: RelationState }>> {
    const projection = await this.projection(pair);
    const snapshots = projection.snapshots(dates, knownAt);
    this.reweigh(pair, projection);
    return snapshots;
  }

  async pairs(): Promise<PairId[]> {
    if (this.knownPairs === undefined) {
      await this.ready;
      const streams = await this.metrics.timeStore('listStreams', () =>
        this.store.listStreams(RELATION_STREAM_PREFIX),
      );
      // Pairs seen by the subscription while listing are kept as well.
      const listed = streams.map((name) => pairOfStream(name)).filter((pair): pair is PairId => !!pair);
      this.knownPairs = new Set([...listed, ...(this.knownPairs ?? [])]);
    }
    return [...this.knownPairs].sort();
  }

  appended(pair: PairId, events: readonly RecordedEvent[]): void {
    this.receive(pair, events);
  }

  forget(pair: PairId): void {
    const cached = this.cache.get(pair);
    if (cached) this.evict(pair, cached);
  }

  /** Pairs, events and checkpoint slots held now, for tests and diagnostics. */
  get stats(): { pairs: number; events: number; checkpointSlots: number } {
    return { pairs: this.cache.size, events: this.cachedEvents, checkpointSlots: this.cachedSlots };
  }

  /** The cached projection of `pair`, loading it from the store on a miss. */
  private async projection(pair: PairId): Promise<PairProjection> {
    const cached = this.cache.get(pair);
    if (cached) {
      this.metrics.cacheHits.inc();
      // Re-inserting moves the pair to the most recently used end.
      this.cache.delete(pair);
      this.cache.set(pair, cached);
      return cached;
    }
    this.metrics.cacheMisses.inc();
    let load = this.loading.get(pair);
    if (!load) {
      load = this.load(pair).finally(() => this.loading.delete(pair));
      this.loading.set(pair, load);
    }
    return load;
  }

  private async load(pair: PairId): Promise<PairProjection> {
    await this.ready;
    this.buffered.set(pair, []);
    try {
      const stored = await this.metrics.timeStore('readStream', () =>
        this.store.readStream(streamNameOf(pair)),
      );
      const projection = new PairProjection(pair, stored.map(fromStored), {
        checkpointEvery: this.options.checkpointEvery,
        maxCheckpoints: this.options.maxCheckpoints,
      });
      const arrived = this.buffered.get(pair) ?? [];
      if (!projection.extend(arrived)) {
        // Events arrived out of step with what was read: answer from this read, cache nothing.
        return projection;
      }
      if (projection.size > 0) this.admit(pair, projection);
      return projection;
    } finally {
      this.buffered.delete(pair);
    }
  }

  private admit(pair: PairId, projection: PairProjection): void {
    const previous = this.cache.get(pair);
    if (previous) this.evict(pair, previous);
    this.cache.set(pair, projection);
    this.cachedEvents += projection.size;
    this.knownPairs?.add(pair);
    this.trim();
  }

  private evict(pair: PairId, projection: PairProjection): void {
    this.cache.delete(pair);
    this.cachedEvents -= projection.size;
    this.cachedSlots -= this.countedSlots.get(projection) ?? 0;
    this.countedSlots.delete(projection);
  }

  /**
   * Counts what a question changed in the checkpoints of `pair` (made some, or rebuilt them after
   * an append), then trims: the pair was just asked, so less recently used pairs go first.
   */
  private reweigh(pair: PairId, projection: PairProjection): void {
    if (this.cache.get(pair) !== projection) return;
    const slots = projection.checkpointSlots;
    const counted = this.countedSlots.get(projection) ?? 0;
    if (slots === counted) return;
    this.countedSlots.set(projection, slots);
    this.cachedSlots += slots - counted;
    this.trim();
  }

  /** Drops least recently used pairs until every bound holds (the newest pair always stays). */
  private trim(): void {
    for (const [pair, projection] of this.cache) {
      if (this.cache.size <= 1) return;
      if (
        this.cachedEvents <= this.options.maxEvents &&
        this.cachedSlots <= this.options.maxCheckpointSlots &&
        this.cache.size <= this.options.maxPairs
      ) {
        return;
      }
      this.evict(pair, projection);
    }
  }

  /** New events of `pair` from this process or from the subscription, in revision order. */
  private receive(pair: PairId, events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    this.knownPairs?.add(pair);
    this.buffered.get(pair)?.push(...events);
    const cached = this.cache.get(pair);
    if (!cached) return;
    const before = cached.size;
    if (cached.extend(events)) {
      this.cachedEvents += cached.size - before;
      this.trim();
    } else {
      // A gap: some events of this pair were not seen here. Read the stream again next time.
      this.evict(pair, cached);
    }
  }

  /** Fixes the subscription's starting point at the store's current end, then subscribes. */
  private async start(): Promise<void> {
    try {
      this.checkpoint = await endPosition(this.store);
    } catch (error) {
      // A store that cannot seek to an arbitrary position is followed from its beginning instead.
      this.logger.warn(
        `Cannot find the store's end (${(error as Error).message}); following it from the start`,
      );
      this.checkpoint = undefined;
    }
    this.subscribe();
  }

  private subscribe(): void {
    if (this.closed) return;
    this.subscription = this.store.subscribe(
      { after: this.checkpoint, streamPrefix: RELATION_STREAM_PREFIX },
      (event) => this.onStored(event),
      (error) => this.onSubscriptionError(error),
    );
  }

  private onStored(event: StoredEvent): void {
    this.checkpoint = event.position;
    const pair = pairOfStream(event.streamName);
    if (pair === undefined) return;
    if (!this.cache.has(pair) && !this.buffered.has(pair)) {
      // Not cached: nothing to keep current, and decoding it would be wasted work.
      if (event.revision === 0) this.knownPairs?.add(pair);
      return;
    }
    this.receive(pair, [fromStored(event)]);
  }

  private onSubscriptionError(error: Error): void {
    if (this.closed) return;
    this.logger.error(
      `Read-model subscription failed (${error.message}); resuming in ${this.options.resubscribeMs} ms`,
    );
    const failed = this.subscription;
    this.subscription = undefined;
    void failed?.close().catch(() => undefined);
    this.resubscribeTimer = setTimeout(() => this.subscribe(), this.options.resubscribeMs);
    this.resubscribeTimer.unref();
  }
}

/**
 * The position of the store's last event (`undefined` for an empty store), found with a few
 * one-event reads instead of reading everything: double an upper bound until nothing lies after
 * it, then bisect. Positions only need to be increasing, not dense.
 */
export async function endPosition(store: EventStore): Promise<bigint | undefined> {
  const anyAfter = async (position: bigint): Promise<boolean> =>
    (await store.readAll({ after: position, maxCount: 1 })).length > 0;
  const first = (await store.readAll({ maxCount: 1 }))[0]?.position;
  if (first === undefined) return undefined;
  // Invariant: some event lies after `low`, none after `high`; the end is the least such `high`.
  let low = first - 1n;
  let step = 1n;
  let high = first;
  while (await anyAfter(high)) {
    low = high;
    step *= 2n;
    high = low + step;
  }
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (await anyAfter(mid)) low = mid;
    else high = mid;
  }
  return high;
}
