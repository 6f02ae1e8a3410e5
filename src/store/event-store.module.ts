import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  type FactoryProvider,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEventStore } from './create-event-store';
import { EVENT_STORE, type EventStore } from './event-store.port';

/** Closes the store when the application shuts down (after the HTTP server stopped taking requests). */
@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** How {@link EventStoreModule.forRootAsync} finds the `EVENT_STORE` value, e.g. from the parsed config. */
export interface EventStoreModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => string | Promise<string>;
  inject?: FactoryProvider['inject'];
}

/** Binds {@link EVENT_STORE} to the adapter an `EVENT_STORE` value names, and closes it on shutdown. */
@Module({})
export class EventStoreModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [{ provide: EVENT_STORE, useFactory: () => createEventStore(url) }, EventStoreCloser],
      exports: [EVENT_STORE],
    };
  }

  static forRootAsync(options: EventStoreModuleAsyncOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (...args: never[]) => createEventStore(await options.useFactory(...args)),
          inject: options.inject ?? [],
        },
        EventStoreCloser,
      ],
      exports: [EVENT_STORE],
    };
  }
}
