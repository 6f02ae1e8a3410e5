import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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
