import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the read model's cache holds, and its bounds. */
export interface ReadModelCacheSize {
  pairs: number;
  events: number;
  checkpointSlots: number;
  maxEvents: number;
  maxCheckpointSlots: number;
}

/**
 * The Prometheus metrics of one application instance. Each instance has its own registry so that
 * several apps in one process (tests, the CLI) never collide on metric names.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'relations_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'relations_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly appendedEvents = new Counter({
    name: 'relations_appended_events_total',
    help: 'Events appended, by source (http, import, seed)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly storeDuration = new Histogram({
    name: 'relations_store_operation_duration_seconds',
    help: 'Event store latency, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** Incremented by the read model: a projection answered from its cache. */
  readonly cacheHits = new Counter({
    name: 'relations_read_model_cache_hits_total',
    help: 'Read-model answers served from the cache',
    registers: [this.registry],
  });
  /** Incremented by the read model: a projection had to read the store. */
  readonly cacheMisses = new Counter({
    name: 'relations_read_model_cache_misses_total',
    help: 'Read-model answers that needed the store',
    registers: [this.registry],
  });

  /** Reads the cache's size when `/metrics` is scraped (set by the read model that has one). */
  private cacheSize: (() => ReadModelCacheSize) | undefined;
  readonly cachedPairs = this.cacheGauge(
    'relations_read_model_cached_pairs',
    'Pairs held by the read-model cache',
    'pairs',
  );
  readonly cachedEvents = this.cacheGauge(
    'relations_read_model_cached_events',
    'Events held by the read-model cache',
    'events',
  );
  readonly checkpointSlots = this.cacheGauge(
    'relations_read_model_checkpoint_slots',
    'Checkpoint slots held by the read-model cache',
    'checkpointSlots',
  );
  readonly cacheMaxEvents = this.cacheGauge(
    'relations_read_model_cache_max_events',
    'Most events the read-model cache holds (from READ_MODEL_CACHE_MB)',
    'maxEvents',
  );
  readonly cacheMaxCheckpointSlots = this.cacheGauge(
    'relations_read_model_cache_max_checkpoint_slots',
    'Most checkpoint slots the read-model cache holds (from READ_MODEL_CACHE_MB)',
    'maxCheckpointSlots',
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * From now on the cache's gauges (`relations_read_model_cached_*`, `…_checkpoint_slots`,
   * `…_cache_max_*`) read `size` when scraped.
   */
  watchReadModelCache(size: () => ReadModelCacheSize): void {
    this.cacheSize = size;
  }

  /** A gauge read from the cache's size when scraped; absent until a read model reports one. */
  private cacheGauge(name: string, help: string, field: keyof ReadModelCacheSize): Gauge {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => {
        const size = this.cacheSize?.();
        if (size !== undefined) gauge.set(size[field]);
      },
    });
    return gauge;
  }

  /** Times one store call. */
  async timeStore<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const end = this.storeDuration.startTimer({ operation });
    try {
      return await call();
    } finally {
      end();
    }
  }
}
