import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreModule } from './event-store.module';
import { EVENT_STORE, StoreUnavailableError, type EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const CONFIG = Symbol('CONFIG');

@Module({ providers: [{ provide: CONFIG, useValue: { eventStore: 'memory' } }], exports: [CONFIG] })
class ConfigModule {}

@Injectable()
class NeedsStore {
  constructor(@Inject(EVENT_STORE) readonly store: EventStore) {}
}

describe('EventStoreModule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-module-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('binds EVENT_STORE to the SQLite store the URL names and closes it on shutdown', async () => {
    const file = join(dir, 'relations.db');
    const moduleRef = await Test.createTestingModule({
      imports: [EventStoreModule.forRoot(`sqlite:${file}`)],
      providers: [NeedsStore],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter());
    await app.init();
    const store = app.get(NeedsStore).store;
    expect(store.kind).toBe('sqlite');
    await store.append('relation-AAA-BBB', [
      {
        id: randomUUID(),
        type: 'other-development',
        data: { category: 'module' },
        metadata: { recordedAt: 'x', recordedBy: 'y', schemaVersion: 1, prevHash: 'p', hash: 'h' },
      },
    ]);

    await app.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    const reopened = SqliteEventStore.open(file);
    expect(await reopened.streamRevision('relation-AAA-BBB')).toBe(0);
    await reopened.close();
  });

  it('takes the URL from an injected configuration with forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventStoreModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: { eventStore: string }) => config.eventStore,
        }),
      ],
      providers: [NeedsStore],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter());
    await app.init();
    expect(app.get(NeedsStore).store.kind).toBe('memory');
    await app.close();
  });
});
