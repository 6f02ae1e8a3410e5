import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { PairId, RecordedEvent } from '../../events/catalogue';
import { streamNameOf } from '../../events/countries';
import { stateAt } from '../../projections/state';
import { planKurrentDb, useKurrentDb } from '../../test/support/kurrentdb';
import { recordAll, ruling, type TestInput } from '../../test/support/recorded-events';
import { MetricsService } from '../metrics/metrics.service';
import { toNewEvent } from '../relations/event-codec';
import type { EventStore } from '../store/event-store.port';
import { MemoryEventStore } from '../store/memory-event-store';
import { SqliteEventStore } from '../store/sqlite-event-store';
import {
  cacheBoundsFor,
  CachedRelationReadModel,
  DEFAULT_CACHE_OPTIONS,
  endPosition,
  type ReadModelCacheOptions,
} from './cached-relation-read-model';
import { CHECKPOINT_OVERHEAD_SLOTS } from './pair-projection';

const NOW = '2030-01-01T00:00:00.000Z';
const SOURCES = [{ publisher: 'Test Wire' }];

function talks(count: number, year = 2010): TestInput[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'talks-held',
    date: `${year + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
    actor: 'JPN',
    summary: `talks ${i}`,
    sources: SOURCES,
    data: { level: 'minister' },
  })) as TestInput[];
}

async function store(events: readonly RecordedEvent[], into: EventStore): Promise<void> {
  const pair = events[0]!.pair;
  await into.append(streamNameOf(pair), events.map(toNewEvent), {
    expectedRevision: events[0]!.revision === 0 ? 'no-stream' : events[0]!.revision - 1,
  });
}

async function counter(metrics: MetricsService, name: 'cacheHits' | 'cacheMisses'): Promise<number> {
  return (await metrics[name].get()).values[0]?.value ?? 0;
}

/** Waits until `check` holds, for what the subscription delivers asynchronously. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function readModel(on: EventStore, options: Partial<ReadModelCacheOptions> = {}) {
  const metrics = new MetricsService();
  const model = new CachedRelationReadModel(on, metrics, { resubscribeMs: 50, ...options });
  model.onModuleInit();
  return { model, metrics };
}

describe('cacheBoundsFor', () => {
  it('gives the default bounds for the default 256 MiB and scales them with the budget', () => {
    expect(cacheBoundsFor(256)).toEqual({
      maxEvents: DEFAULT_CACHE_OPTIONS.maxEvents,
      maxCheckpointSlots: DEFAULT_CACHE_OPTIONS.maxCheckpointSlots,
    });
    expect(DEFAULT_CACHE_OPTIONS).toMatchObject({ maxEvents: 80_000, maxCheckpointSlots: 6_000_000 });
    expect(cacheBoundsFor(4096)).toEqual({ maxEvents: 1_280_000, maxCheckpointSlots: 96_000_000 });
    expect(cacheBoundsFor(8)).toEqual({ maxEvents: 2_500, maxCheckpointSlots: 187_500 });
  });

  it("warns at start when the budget would not fit in the process's heap, and only then", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const memory = new MemoryEventStore();
    const heapMib = getHeapStatistics().heap_size_limit / 2 ** 20;
    // Not following the store: nothing outlives the test if an expectation fails.
    const fits = readModel(memory, { ...cacheBoundsFor(Math.floor(heapMib / 2)), follow: 'never' }).model;
    const warnedAfterFits = warn.mock.calls.length;
    const tooBig = readModel(memory, { ...cacheBoundsFor(Math.ceil(heapMib)), follow: 'never' }).model;
    const calls = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();
    await fits.onApplicationShutdown();
    await tooBig.onApplicationShutdown();
    await memory.close();
    expect(warnedAfterFits).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(
      /may fill ~\d+ MiB of heap, more than 67 % of this process's heap limit \(\d+ MiB\): lower READ_MODEL_CACHE_MB or raise the limit \(NODE_OPTIONS=--max-old-space-size=\d+\)/,
    );
  });
});

describe('CachedRelationReadModel on a SQLite file', () => {
  let dir: string;
  let sqlite: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-'));
    sqlite = SqliteEventStore.open(join(dir, 'relations.db'), { pollMs: 20 });
  });
  afterEach(async () => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a pair from the store once, then answers from the cache', async () => {
    const events = recordAll('JPN-KOR', talks(30));
    await store(events, sqlite);
    const { model, metrics } = readModel(sqlite);

    const first = await model.state('JPN-KOR', '2011-06-30', NOW);
    const second = await model.state('JPN-KOR', '2012-01-31', NOW);

    expect(first).toEqual(stateAt(events, { pair: 'JPN-KOR', asOf: '2011-06-30', knownAt: NOW }));
    expect(second).toEqual(stateAt(events, { pair: 'JPN-KOR', asOf: '2012-01-31', knownAt: NOW }));
    expect(await counter(metrics, 'cacheMisses')).toBe(1);
    expect(await counter(metrics, 'cacheHits')).toBe(1);
    await model.onApplicationShutdown();
  });

  it('evicts the least recently used pair when the event bound is exceeded', async () => {
    const pairs: PairId[] = ['CHN-JPN', 'JPN-KOR', 'KOR-USA'];
    for (const pair of pairs) await store(recordAll(pair, talks(10)), sqlite);
    const { model, metrics } = readModel(sqlite, { maxEvents: 25 });

    await model.events('CHN-JPN');
    await model.events('JPN-KOR');
    await model.events('CHN-JPN'); // CHN-JPN is now the most recently used
    await model.events('KOR-USA'); // 30 events > 25: JPN-KOR goes

    expect(model.stats).toEqual({ pairs: 2, events: 20, checkpointSlots: 0 });
    await model.events('CHN-JPN');
    expect(await counter(metrics, 'cacheMisses')).toBe(3);
    await model.events('JPN-KOR');
    expect(await counter(metrics, 'cacheMisses')).toBe(4);
    await model.onApplicationShutdown();
  });

  it('evicts the least recently used pair when checkpoints exceed their bound, counting them as they grow', async () => {
    const rulings = (count: number) =>
      Array.from({ length: count }, (_, i) => ruling('KOR', `${2000 + i}-06-15`, { caseId: `case-${i}` }));
    const pairs: PairId[] = ['CHN-JPN', 'JPN-KOR'];
    for (const pair of pairs) await store(recordAll(pair, rulings(40)), sqlite);
    // One pair's checkpoints (after 0, 4, … 40 rulings: 11 of them) fit; two pairs' do not.
    const onePair = 11 * CHECKPOINT_OVERHEAD_SLOTS + ((0 + 40) * 11) / 2;
    const { model, metrics } = readModel(sqlite, { checkpointEvery: 4, maxCheckpointSlots: onePair + 100 });

    // A pair without events is answered but not cached, nor are its checkpoints counted.
    await model.state('KOR-USA', '2050-01-01', NOW);
    await model.state('KOR-USA', '2050-01-01', NOW);
    expect(model.stats).toEqual({ pairs: 0, events: 0, checkpointSlots: 0 });

    // Each pair asked twice: the first answer folds plainly, the second makes its checkpoints.
    for (const pair of pairs) {
      await model.state(pair, '2050-01-01', NOW);
      expect(model.stats.pairs).toBe(pair === 'CHN-JPN' ? 1 : 2);
      await model.state(pair, '2050-01-01', NOW);
    }

    // The second pair's checkpoints pushed the first out; the events' bound alone would have kept it.
    expect(model.stats).toEqual({ pairs: 1, events: 40, checkpointSlots: onePair });
    expect(await counter(metrics, 'cacheMisses')).toBe(4); // two for the pair without events
    const again = await model.state('CHN-JPN', '2030-01-01', NOW);
    expect(again).toEqual(
      stateAt(recordAll('CHN-JPN', rulings(40)), { pair: 'CHN-JPN', asOf: '2030-01-01', knownAt: NOW }),
    );
    expect(await counter(metrics, 'cacheMisses')).toBe(5);
    expect(model.stats.pairs).toBe(2); // asked once again, CHN-JPN holds only its first checkpoint
    await model.onApplicationShutdown();
  });

  it('sees events another writer appended, through the subscription, out of order and corrected', async () => {
    const events = recordAll('JPN-KOR', talks(40));
    await store(events, sqlite);
    // SQLite's lock keeps other processes out; following is asked for here to stand in for them.
    const { model } = readModel(sqlite, { checkpointEvery: 4, follow: 'always' });
    expect((await model.state('JPN-KOR', '2013-12-31', NOW)).talks.count).toBe(40);

    // Given another writer appends, bypassing this read model: an early event, then a correction of it
    const late = recordAll(
      'JPN-KOR',
      [
        {
          type: 'preferential-list-removed',
          date: '2010-02',
          actor: 'KOR',
          summary: 'late',
          sources: SOURCES,
          data: {},
        },
      ] as TestInput[],
      { after: events },
    );
    await store(late, sqlite);
    await eventually(async () => (await model.revision('JPN-KOR')) === 40);
    const withLate = [...events, ...late];
    expect(await model.state('JPN-KOR', '2013-12-31', NOW)).toEqual(
      stateAt(withLate, { pair: 'JPN-KOR', asOf: '2013-12-31', knownAt: NOW }),
    );

    const correction = recordAll(
      'JPN-KOR',
      [
        {
          type: 'event-corrected',
          summary: 'misdated',
          data: { eventId: late[0]!.id, changes: { date: '2014-02' }, reason: 'wrong year' },
        },
      ] as TestInput[],
      { after: withLate },
    );
    await store(correction, sqlite);
    await eventually(async () => (await model.revision('JPN-KOR')) === 41);
    const state = await model.state('JPN-KOR', '2013-12-31', NOW);
    expect(state.measures.KOR!.preferentialList.status).toBe('unknown');
    expect(state).toEqual(
      stateAt([...withLate, ...correction], { pair: 'JPN-KOR', asOf: '2013-12-31', knownAt: NOW }),
    );
    await model.onApplicationShutdown();
  });

  it('does not follow a SQLite store by default: this process is its only writer', async () => {
    const events = recordAll('JPN-KOR', talks(5));
    await store(events, sqlite);
    const { model } = readModel(sqlite);
    expect(await model.revision('JPN-KOR')).toBe(4);
    const more = recordAll('JPN-KOR', talks(1, 2020), { after: events });
    await store(more, sqlite);
    model.appended('JPN-KOR', more);
    expect(await model.revision('JPN-KOR')).toBe(5);
    expect((await model.state('JPN-KOR', '2021-01-01', NOW)).talks.count).toBe(6);
    await model.onApplicationShutdown();
  });

  it('finds the end of a store of thousands of events with a few reads', async () => {
    for (let i = 0; i < 5; i++) {
      await store(recordAll(`JPN-${['KOR', 'USA', 'CHN', 'FRA', 'DEU'][i]!}` as PairId, talks(700)), sqlite);
    }
    const all = await sqlite.readAll();
    expect(await endPosition(sqlite)).toBe(all[all.length - 1]!.position);
  });
});

describe('CachedRelationReadModel with two instances on one store', () => {
  it('keeps each instance current with the events the other appends', async () => {
    const shared = new MemoryEventStore();
    const events = recordAll('JPN-KOR', talks(12));
    await store(events, shared);
    const a = readModel(shared).model;
    const b = readModel(shared).model;
    expect(await a.revision('JPN-KOR')).toBe(11);
    expect(await b.revision('JPN-KOR')).toBe(11);

    // When B's process appends and tells only its own read model
    const more = recordAll('JPN-KOR', talks(3, 2020), { after: events });
    await store(more, shared);
    b.appended('JPN-KOR', more);

    // Then A sees them too, through the store's subscription
    expect(await b.revision('JPN-KOR')).toBe(14);
    await eventually(async () => (await a.revision('JPN-KOR')) === 14);
    expect(await a.state('JPN-KOR', '2021-01-01', NOW)).toEqual(await b.state('JPN-KOR', '2021-01-01', NOW));
    expect(await a.pairs()).toEqual(['JPN-KOR']);
    await a.onApplicationShutdown();
    await b.onApplicationShutdown();
    await shared.close();
  });

  it('answers a knownAt before the latest events exactly, from the cached events', async () => {
    const shared = new MemoryEventStore();
    const events = recordAll('JPN-KOR', talks(20));
    await store(events, shared);
    const { model } = readModel(shared);
    const knownAt = events[9]!.recordedAt;
    expect(await model.state('JPN-KOR', '2015-01-01', knownAt)).toEqual(
      stateAt(events, { pair: 'JPN-KOR', asOf: '2015-01-01', knownAt }),
    );
    expect((await model.state('JPN-KOR', '2015-01-01', knownAt)).talks.count).toBe(10);
    await model.onApplicationShutdown();
    await shared.close();
  });
});

describe('CachedRelationReadModel on one KurrentDB, two store instances', () => {
  const kurrent = planKurrentDb();
  if ('skip' in kurrent) {
    console.warn(`KurrentDB read-model test skipped: ${kurrent.skip}`);
    it.skip("keeps one instance's cache current with what the other store instance appends", () => undefined);
    return;
  }
  const connection = useKurrentDb(kurrent);

  it("keeps one instance's cache current with what the other store instance appends", async () => {
    const { createEventStore } = await import('../store/create-event-store');
    const [first, second] = [await createEventStore(connection()), await createEventStore(connection())];
    // A stream of its own per run: the database outlives the test.
    const pair = `JPN-KOR-${Date.now()}` as PairId;
    const events = recordAll(pair, talks(3));
    await store(events, first);
    const { model } = readModel(first);
    const revision = await model.revision(pair);
    expect(revision).toBe(2);
    // When the other store instance (another server) appends
    await store(recordAll(pair, talks(2, 2020), { after: events }), second);
    // Then this read model sees it through the subscription
    await eventually(async () => (await model.revision(pair)) === revision + 2, 15_000);
    await model.onApplicationShutdown();
    await first.close();
    await second.close();
  });
});
