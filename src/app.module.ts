import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './auth/auth.guard';
import { TokenRegistry } from './auth/token-registry';
import { CLOCK, SystemClock, type Clock } from './clock/clock';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { requestId } from './http/configure-app';
import { ProblemFilter } from './http/problem.filter';
import { LiveController } from './live/live.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { ImportService } from './relations/import.service';
import { RELATION_READ_MODEL, StoreRelationReadModel } from './relations/relation-read-model';
import { RelationQueries } from './relations/relation-queries.service';
import { RelationsController } from './relations/relations.controller';
import { RelationsService } from './relations/relations.service';
import { SeedService } from './seed/seed.service';
import { KurrentDbEventStore } from './store/kurrentdb-event-store';
import { MemoryEventStore } from './store/memory-event-store';
import { SqliteEventStore } from './store/sqlite-event-store';
import { EVENT_STORE, type EventStore } from './store/event-store.port';

/** The store the configuration names. */
function openStore(config: AppConfig): EventStore {
  if (config.storeKind === 'memory') return new MemoryEventStore();
  if (config.storeKind === 'sqlite') return SqliteEventStore.open(config.eventStore.slice('sqlite:'.length));
  return KurrentDbEventStore.connect(config.eventStore);
}

/** What the composition root needs besides the configuration. */
export interface AppModuleOptions {
  config: AppConfig;
  /** Defaults to the wall clock; tests pass a fixed one. */
  clock?: Clock;
  /** `false` for the CLI: no controllers, quiet logs. */
  http?: boolean;
}

/**
 * Closes the store last: Nest closes the HTTP server (after in-flight requests) before the
 * `onApplicationShutdown` hooks run.
 */
@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** The composition root: binds the ports (store, clock, read model) and the HTTP surface. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    const http = options.http ?? true;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: http ? config.logLevel : 'warn',
            genReqId: (request, response) => requestId(request, response),
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (request) => request.url === '/health' || request.url === '/metrics' },
          },
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.writeRateLimit }],
        }),
      ],
      controllers: http ? [HealthController, MetricsController, RelationsController, LiveController] : [],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? new SystemClock() },
        { provide: EVENT_STORE, useFactory: () => openStore(config) },
        StoreLifecycle,
        MetricsService,
        TokenRegistry,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // The read model behind every read; a caching implementation replaces this one binding.
        { provide: RELATION_READ_MODEL, useClass: StoreRelationReadModel },
        RelationsService,
        RelationQueries,
        ImportService,
        SeedService,
      ],
      exports: [EVENT_STORE, RelationsService, RelationQueries, ImportService, TokenRegistry],
    };
  }
}
