import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthGuard } from './auth/auth.guard';
import { TokenRegistry } from './auth/token-registry';
import { CLOCK, SystemClock, type Clock } from './clock/clock';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { DrainOnShutdown, InFlightRequests } from './http/graceful-shutdown';
import { ProblemFilter } from './http/problem.filter';
import { LiveController } from './live/live.controller';
import { AppLogger } from './log/app-logger';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { ImportService } from './relations/import.service';
import {
  cacheBoundsFor,
  CachedRelationReadModel,
  READ_MODEL_CACHE_OPTIONS,
} from './read-model/cached-relation-read-model';
import { RELATION_READ_MODEL, StoreRelationReadModel } from './relations/relation-read-model';
import { RelationQueries } from './relations/relation-queries.service';
import { RelationsController } from './relations/relations.controller';
import { RelationsService } from './relations/relations.service';
import { SeedService } from './seed/seed.service';
import { EventStoreModule } from './store/event-store.module';

/** What the composition root needs besides the configuration. */
export interface AppModuleOptions {
  config: AppConfig;
  /** Defaults to the wall clock; tests pass a fixed one. */
  clock?: Clock;
  /** `false` for the CLI: no controllers, quiet logs. */
  http?: boolean;
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
        // Binds EVENT_STORE to the configured adapter and closes it after the HTTP server.
        EventStoreModule.forRoot(config.eventStore),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.writeRateLimit }],
        }),
      ],
      controllers: http ? [HealthController, MetricsController, RelationsController, LiveController] : [],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? new SystemClock() },
        // JSON lines on stdout; the CLI only warns.
        { provide: AppLogger, useValue: new AppLogger(http ? config.logLevel : 'warn') },
        MetricsService,
        TokenRegistry,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // The read model behind every read. The server caches per pair, kept current by its appends
        // and the store's subscription; the CLI asks one question per run, so it reads the store.
        { provide: RELATION_READ_MODEL, useClass: http ? CachedRelationReadModel : StoreRelationReadModel },
        { provide: READ_MODEL_CACHE_OPTIONS, useValue: cacheBoundsFor(config.readModelCacheMb) },
        RelationsService,
        RelationQueries,
        ImportService,
        SeedService,
        ...(http ? [InFlightRequests, DrainOnShutdown] : []),
      ],
      exports: [RelationsService, RelationQueries, ImportService, TokenRegistry],
    };
  }
}
