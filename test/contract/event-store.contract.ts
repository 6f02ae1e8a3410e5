/**
 * The one contract every EventStore adapter must honour, run by one runner per store
 * (memory.int-spec.ts, sqlite.int-spec.ts, kurrentdb.int-spec.ts). Every test works on streams of
 * its own, with fresh random names, and checks positions relative to what it wrote, so the suite
 * also runs against a shared KurrentDB that already holds other events.
 */
import { randomUUID } from 'node:crypto';
import {
  EventIdConflictError,
  EventStore,
  ExpectedRevision,
  InvalidEventError,
  NewEvent,
  RevisionConflictError,
  StoredEvent,
} from '../../src/store/event-store.port';

/** What a runner gives the suite for one test. */
export interface ContractSubject {
  store: EventStore;
  /** Closes the store and opens it again on the same data (absent for the memory store). */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever is open and removes what the test created. */
  cleanup: () => Promise<void>;
  /**
   * What the store does with an id already stored in the stream when the append is not a retry:
   * `refused` ({@link EventIdConflictError}: memory, SQLite) or `stored` (KurrentDB keeps the duplicate).
   */
  duplicateIds: 'refused' | 'stored';
}

const META = {
  recordedAt: '2026-01-02T03:04:05.678Z',
  recordedBy: 'contract',
  schemaVersion: 1,
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
};

function event(label: string, extra: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type: 'other-development', data: { label, ...extra }, metadata: { ...META } };
}

function events(...labels: string[]): NewEvent[] {
  return labels.map((label) => event(label));
}

function unique(prefix = 'contract'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function lastPosition(store: EventStore): Promise<bigint | undefined> {
  // The newest event's position, found by paging: the port reads $all forwards only.
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    const last = page.at(-1);
    if (!last) return after;
    after = last.position;
  }
}

async function conflictOf(promise: Promise<unknown>): Promise<RevisionConflictError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RevisionConflictError);
  return error as RevisionConflictError;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function labels(stored: readonly StoredEvent[]): unknown[] {
  return stored.map((e) => e.data['label']);
}

export function describeEventStoreContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`${name} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    describe('appending and reading', () => {
      it('numbers revisions from 0 across batches and reads them back in append order', async () => {
        const stream = unique();
        const first = await store.append(stream, events('a', 'b', 'c'));
        const second = await store.append(stream, events('d', 'e'));

        expect(first.nextExpectedRevision).toBe(2);
        expect(second.nextExpectedRevision).toBe(4);
        expect(second.position > first.position).toBe(true);
        const read = await store.readStream(stream);
        expect(labels(read)).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(read.every((e) => e.streamName === stream)).toBe(true);
        expect(read.at(-1)?.position).toBe(second.position);
        expect(await store.streamRevision(stream)).toBe(4);
      });

      it('returns the id, type, data and metadata it was given', async () => {
        const stream = unique();
        const given = event('x', { nested: { list: [1, 'two', null, true] } });
        await store.append(stream, [given]);

        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({
          id: given.id,
          type: given.type,
          data: given.data,
          metadata: given.metadata,
        });
      });

      it('reads forwards and backwards from a revision, limited by maxCount', async () => {
        const stream = unique();
        await store.append(stream, events('r0', 'r1', 'r2', 'r3', 'r4'));

        expect(labels(await store.readStream(stream, { fromRevision: 2 }))).toEqual(['r2', 'r3', 'r4']);
        expect(labels(await store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([
          'r1',
          'r2',
        ]);
        expect(labels(await store.readStream(stream, { direction: 'backwards' }))).toEqual([
          'r4',
          'r3',
          'r2',
          'r1',
          'r0',
        ]);
        expect(
          labels(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
        ).toEqual(['r3', 'r2']);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('reads an unknown stream as empty, at revision -1', async () => {
        const stream = unique();
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
        expect(await store.streamRevision(stream)).toBe(-1);
      });

      it('keeps the revisions of each stream independent', async () => {
        const one = unique();
        const two = unique();
        await store.append(one, events('1a', '1b'));
        await store.append(two, events('2a'));
        await store.append(one, events('1c'));

        expect((await store.readStream(one)).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect((await store.readStream(two)).map((e) => e.revision)).toEqual([0]);
      });
    });

    describe('expected revision', () => {
      const accepted: Array<[string, number, ExpectedRevision]> = [
        ['any on a new stream', 0, 'any'],
        ['any on an existing stream', 2, 'any'],
        ['no-stream on a new stream', 0, 'no-stream'],
        ['stream-exists on an existing stream', 2, 'stream-exists'],
        ['the exact revision of the last event', 2, 1],
      ];
      it.each(accepted)('accepts %s', async (_case, existing, expectedRevision) => {
        const stream = unique();
        if (existing > 0)
          await store.append(stream, events(...Array.from({ length: existing }, (_, i) => `e${i}`)));

        const result = await store.append(stream, events('new'), { expectedRevision });
        expect(result.nextExpectedRevision).toBe(existing);
      });

      const refused: Array<[string, number, ExpectedRevision, number]> = [
        ['no-stream on an existing stream', 2, 'no-stream', 1],
        ['stream-exists on a new stream', 0, 'stream-exists', -1],
        ['a stale revision', 2, 0, 1],
        ['a revision ahead of the stream', 2, 5, 1],
        ['a revision on a new stream', 0, 0, -1],
      ];
      it.each(refused)(
        'refuses %s with a conflict naming the stream, the expected and the actual revision',
        async (_case, existing, expectedRevision, actual) => {
          const stream = unique();
          if (existing > 0)
            await store.append(stream, events(...Array.from({ length: existing }, (_, i) => `e${i}`)));

          const error = await conflictOf(store.append(stream, events('new'), { expectedRevision }));
          expect(error.code).toBe('revision-conflict');
          expect(error.streamName).toBe(stream);
          expect(error.expectedRevision).toBe(expectedRevision);
          expect(error.actualRevision).toBe(actual);
          expect(await store.streamRevision(stream)).toBe(existing - 1);
        },
      );

      it('lets exactly one of ten concurrent appends at the same revision through', async () => {
        const stream = unique();
        await store.append(stream, events('base'));

        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            store.append(stream, events(`racer${i}`), { expectedRevision: 0 }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((o) => o.reason instanceof RevisionConflictError)).toBe(true);
        expect(await store.streamRevision(stream)).toBe(1);
      });
    });

    describe('appends asked at once', () => {
      it('lets each of several appends to different streams succeed or fail alone', async () => {
        const [fresh, behind, duplicate, batch] = [unique(), unique(), unique(), unique()];
        const kept = events('d0');
        await Promise.all([store.append(behind, events('b0', 'b1')), store.append(duplicate, kept)]);

        // Asked in one turn: an append to a new stream, one at a revision the stream has left, one
        // that repeats a stored id (refused or stored, as the store does), and a batch.
        const outcomes = await Promise.allSettled([
          store.append(fresh, events('f0'), { expectedRevision: 'no-stream' }),
          store.append(behind, events('late'), { expectedRevision: 0 }),
          store.append(duplicate, [event('d1'), kept[0]!], { expectedRevision: 0 }),
          store.append(batch, events('x0', 'x1', 'x2')),
        ]);
        expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
        expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'revision-conflict' } });
        expect(outcomes[3]).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2 } });
        expect(labels(await store.readStream(fresh))).toEqual(['f0']);
        expect(labels(await store.readStream(behind))).toEqual(['b0', 'b1']);
        expect(labels(await store.readStream(batch))).toEqual(['x0', 'x1', 'x2']);
        if (subject.duplicateIds === 'refused') {
          expect(outcomes[2]).toMatchObject({ status: 'rejected', reason: { code: 'event-id-conflict' } });
          expect(labels(await store.readStream(duplicate))).toEqual(['d0']);
        } else {
          expect(outcomes[2]).toMatchObject({ status: 'fulfilled' });
        }
      });

      it('stores a request and its retry asked at once once, answering both alike', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        const [first, second] = await Promise.all([
          store.append(stream, batch, { expectedRevision: 'no-stream' }),
          store.append(stream, batch, { expectedRevision: 'no-stream' }),
        ]);
        expect(second).toEqual(first);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b']);
      });
    });

    describe('atomicity', () => {
      const invalid: Array<[string, (good: NewEvent) => NewEvent]> = [
        ['an id that is not a UUID', (good) => ({ ...good, id: 'not-a-uuid' })],
        [
          'data that is an array',
          (good) => ({ ...good, data: [1, 2] as unknown as Record<string, unknown> }),
        ],
        ['data that JSON cannot hold', (good) => ({ ...good, data: { big: 10n } })],
        ['an empty type', (good) => ({ ...good, type: '' })],
        ['an id repeated in the batch', () => ({ ...event('again'), id: repeated })],
      ];
      const repeated = randomUUID();

      it.each(invalid)('stores nothing of a batch whose third event has %s', async (_case, spoil) => {
        const stream = unique();
        const before = await lastPosition(store);
        const batch = [{ ...event('ok1'), id: repeated }, event('ok2'), spoil(event('bad')), event('ok4')];

        await expect(store.append(stream, batch)).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.streamRevision(stream)).toBe(-1);
        const after = await store.readAll({ after: before });
        expect(after.filter((e) => e.streamName === stream)).toEqual([]);
      });

      it('stores nothing of a batch refused for an id already stored in the stream', async () => {
        if (subject.duplicateIds !== 'refused') {
          console.warn(`${name}: does not refuse stored ids itself; the idempotency matrix covers it`);
          return;
        }
        const stream = unique();
        const stored = events('s0', 's1');
        await store.append(stream, stored);

        const batch = [event('n0'), event('n1'), stored[1] as NewEvent, event('n3')];
        const error = await store.append(stream, batch, { expectedRevision: 1 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventIdConflictError);
        expect(error).toMatchObject({ code: 'event-id-conflict', eventId: stored[1]?.id, storedRevision: 1 });
        expect(labels(await store.readStream(stream))).toEqual(['s0', 's1']);
      });
    });

    describe("idempotency (KurrentDB's matrix)", () => {
      it('treats a retry with the same exact expected revision as a no-op returning the original result', async () => {
        const stream = unique();
        await store.append(stream, events('base'));
        const batch = events('a', 'b');
        const original = await store.append(stream, batch, { expectedRevision: 0 });

        const retried = await store.append(stream, batch, { expectedRevision: 0 });
        expect(retried).toEqual(original);
        expect(labels(await store.readStream(stream))).toEqual(['base', 'a', 'b']);
      });

      it('treats a retry of a first batch with no-stream as a no-op', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        const original = await store.append(stream, batch, { expectedRevision: 'no-stream' });

        expect(await store.append(stream, batch, { expectedRevision: 'no-stream' })).toEqual(original);
        expect(await store.streamRevision(stream)).toBe(1);
      });

      it.each<[ExpectedRevision]>([['any'], ['stream-exists']])(
        'treats a retry with %s as a no-op returning the original result',
        async (expectedRevision) => {
          const stream = unique();
          await store.append(stream, events('base'));
          const batch = events('a', 'b');
          const original = await store.append(stream, batch, { expectedRevision });

          expect(await store.append(stream, batch, { expectedRevision })).toEqual(original);
          expect(labels(await store.readStream(stream))).toEqual(['base', 'a', 'b']);
        },
      );

      it('still treats a retry with the original expected revision as a no-op after the stream moved on', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        const original = await store.append(stream, batch, { expectedRevision: 'no-stream' });
        await store.append(stream, events('c'), { expectedRevision: 1 });

        expect(await store.append(stream, batch, { expectedRevision: 'no-stream' })).toEqual(original);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b', 'c']);
      });

      it('still treats a retry with any as a no-op after the stream moved on', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        const original = await store.append(stream, batch);
        await store.append(stream, events('c'));

        expect(await store.append(stream, batch)).toEqual(original);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b', 'c']);
      });

      it('refuses a batch overlapping a stored one (same start, one more event) and stores nothing', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        await store.append(stream, batch, { expectedRevision: 'no-stream' });

        const error = await conflictOf(
          store.append(stream, [...batch, event('c')], { expectedRevision: 'no-stream' }),
        );
        expect(error.actualRevision).toBe(1);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b']);
      });

      it('refuses a retry whose later events differ from the stored ones', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        await store.append(stream, batch, { expectedRevision: 'no-stream' });

        await conflictOf(
          store.append(stream, [batch[0] as NewEvent, event('x')], { expectedRevision: 'no-stream' }),
        );
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b']);
      });

      it('refuses, with any, a batch whose first id is stored but not the next', async () => {
        const stream = unique();
        const batch = events('a', 'b');
        await store.append(stream, batch);

        const error = await conflictOf(store.append(stream, [batch[1] as NewEvent, event('c')]));
        expect(error.expectedRevision).toBe('any');
        expect(error.actualRevision).toBe(1);
        expect(labels(await store.readStream(stream))).toEqual(['a', 'b']);
      });

      it('refuses a stored id sent with a stale revision that is not the original one', async () => {
        const stream = unique();
        const stored = events('a', 'b', 'c');
        await store.append(stream, stored);

        const error = await conflictOf(
          store.append(stream, [stored[0] as NewEvent], { expectedRevision: 1 }),
        );
        expect(error).toMatchObject({ expectedRevision: 1, actualRevision: 2 });
        expect(await store.streamRevision(stream)).toBe(2);
      });

      it('refuses or stores, as the store documents, a stored id sent at the current revision', async () => {
        const stream = unique();
        const stored = events('a', 'b');
        await store.append(stream, stored);

        const outcome = await store.append(stream, [stored[0] as NewEvent], { expectedRevision: 1 }).then(
          (result) => result,
          (error: unknown) => error,
        );
        if (subject.duplicateIds === 'refused') {
          expect(outcome).toBeInstanceOf(EventIdConflictError);
          expect(outcome).toMatchObject({ streamName: stream, eventId: stored[0]?.id, storedRevision: 0 });
          expect(await store.streamRevision(stream)).toBe(1);
        } else {
          expect(outcome).toMatchObject({ nextExpectedRevision: 2 });
          expect((await store.readStream(stream)).map((e) => e.id)).toEqual([
            stored[0]?.id,
            stored[1]?.id,
            stored[0]?.id,
          ]);
        }
      });

      it('refuses or stores, as the store documents, a batch with any whose first id is new and a later one stored', async () => {
        const stream = unique();
        const stored = events('a');
        await store.append(stream, stored);

        const outcome = await store.append(stream, [event('n'), stored[0] as NewEvent]).then(
          (result) => result,
          (error: unknown) => error,
        );
        if (subject.duplicateIds === 'refused') {
          expect(outcome).toBeInstanceOf(EventIdConflictError);
          expect(labels(await store.readStream(stream))).toEqual(['a']);
        } else {
          expect(outcome).toMatchObject({ nextExpectedRevision: 2 });
          expect(labels(await store.readStream(stream))).toEqual(['a', 'n', 'a']);
        }
      });

      it('treats the same id in another stream as another event', async () => {
        const one = unique();
        const two = unique();
        const shared = event('shared');
        const first = await store.append(one, [shared]);

        await store.append(two, [{ ...shared, data: { label: 'other' } }]);
        expect(labels(await store.readStream(two))).toEqual(['other']);
        const found = await store.findEvent(shared.id);
        expect(found).toMatchObject({ streamName: one, revision: 0, position: first.position });
      });
    });

    describe('global order', () => {
      it('reads every stream in append order, with strictly increasing positions', async () => {
        const one = unique();
        const two = unique();
        const before = await lastPosition(store);
        await store.append(one, events('1a', '1b'));
        await store.append(two, events('2a'));
        await store.append(one, events('1c'));
        await store.append(two, events('2b', '2c'));

        const mine = (await store.readAll({ after: before })).filter(
          (e) => e.streamName === one || e.streamName === two,
        );
        expect(labels(mine)).toEqual(['1a', '1b', '2a', '1c', '2b', '2c']);
        for (let i = 1; i < mine.length; i += 1) {
          expect((mine[i] as StoredEvent).position > (mine[i - 1] as StoredEvent).position).toBe(true);
        }
      });

      it('reads strictly after a position, up to maxCount', async () => {
        const stream = unique();
        await store.append(stream, events('a', 'b', 'c', 'd'));
        const [a, b, c] = await store.readStream(stream);

        const page = await store.readAll({ after: a?.position, maxCount: 2 });
        expect(page.map((e) => e.id)).toEqual([b?.id, c?.id]);
      });
    });

    describe('subscriptions', () => {
      it('delivers stored events, then live ones, in order, once each, only from streams of the prefix', async () => {
        const prefix = `${unique('sub')}-`;
        const before = await lastPosition(store);
        await store.append(`${prefix}one`, events('s1', 's2'));
        await store.append(unique('elsewhere'), events('x'));
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe({ after: before, streamPrefix: prefix }, (e) => {
          seen.push(e);
        });
        try {
          await eventually(() => seen.length >= 2, 'the stored events');
          await store.append(`${prefix}two`, events('l1'));
          await store.append(`${prefix}one`, events('l2', 'l3'));
          await eventually(() => seen.length >= 5, 'the live events');
          await new Promise((resolve) => setTimeout(resolve, 100));

          expect(labels(seen)).toEqual(['s1', 's2', 'l1', 'l2', 'l3']);
          expect(new Set(seen.map((e) => e.position)).size).toBe(5);
        } finally {
          await subscription.close();
        }
      });

      it('awaits the handler before delivering the next event', async () => {
        const prefix = `${unique('slow')}-`;
        const before = await lastPosition(store);
        await store.append(`${prefix}s`, events('a', 'b', 'c'));
        let running = 0;
        let overlapped = false;
        const seen: unknown[] = [];
        const subscription = store.subscribe({ after: before, streamPrefix: prefix }, async (e) => {
          running += 1;
          if (running > 1) overlapped = true;
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push(e.data['label']);
          running -= 1;
        });
        try {
          await eventually(() => seen.length === 3, 'three slow deliveries');
          expect(overlapped).toBe(false);
          expect(seen).toEqual(['a', 'b', 'c']);
        } finally {
          await subscription.close();
        }
      });

      it('resumes after its checkpoint without a gap or a duplicate, also after the store is reopened', async () => {
        const prefix = `${unique('resume')}-`;
        const before = await lastPosition(store);
        await store.append(`${prefix}a`, events('1', '2', '3'));
        const seen: StoredEvent[] = [];
        const first = store.subscribe({ after: before, streamPrefix: prefix }, (e) => {
          seen.push(e);
        });
        await eventually(() => seen.length === 3, 'the first three events');
        await first.close();
        const checkpoint = seen.at(-1)?.position;

        await store.append(`${prefix}b`, events('4', '5'));
        if (subject.reopen) store = await subject.reopen();
        await store.append(`${prefix}a`, events('6'));
        const second = store.subscribe({ after: checkpoint, streamPrefix: prefix }, (e) => {
          seen.push(e);
        });
        try {
          await eventually(() => seen.length >= 6, 'the events after the checkpoint');
          await store.append(`${prefix}b`, events('7'));
          await eventually(() => seen.length >= 7, 'a live event after resuming');
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(labels(seen)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
        } finally {
          await second.close();
        }
      });

      it('stops and reports a handler that throws, without moving past the failed event', async () => {
        const prefix = `${unique('fail')}-`;
        const before = await lastPosition(store);
        await store.append(`${prefix}s`, events('a', 'b', 'c'));
        const seen: unknown[] = [];
        const errors: Error[] = [];
        const subscription = store.subscribe(
          { after: before, streamPrefix: prefix },
          (e) => {
            if (e.data['label'] === 'b') throw new Error('read model broke on b');
            seen.push(e.data['label']);
          },
          (error) => errors.push(error),
        );
        try {
          await eventually(() => errors.length === 1, 'the reported error');
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(errors[0]?.message).toContain('read model broke on b');
          expect(seen).toEqual(['a']);
        } finally {
          await subscription.close();
        }
      });
    });

    describe('payloads', () => {
      it('round-trips unicode in type, data and metadata', async () => {
        const stream = unique();
        const text = 'Japan 日本 – 대한민국 · مرحبا · Ελληνικά · 👩🏽‍⚖️ · e\u0301 · "quotes" \\ \u0000 \u2028';
        const given: NewEvent = {
          id: randomUUID(),
          type: 'talks-held-ünïcødé',
          data: { text, [text]: 'key too' },
          metadata: { ...META, recordedBy: `recorder ${text}` },
        };
        await store.append(stream, [given]);

        const [read] = await store.readStream(stream);
        expect(read?.type).toBe(given.type);
        expect(read?.data).toEqual(given.data);
        expect(read?.metadata).toEqual(given.metadata);
      });

      it('round-trips a 1 MiB payload', async () => {
        const stream = unique();
        const big = 'ab日'.repeat(Math.ceil((1024 * 1024) / 3)).slice(0, 1024 * 1024);
        await store.append(stream, [event('big', { big })]);

        const [read] = await store.readStream(stream);
        expect(read?.data['big']).toBe(big);
      });
    });

    describe('listing and finding', () => {
      it('lists the streams of a prefix, sorted, once each', async () => {
        const prefix = `${unique('list')}-`;
        await store.append(`${prefix}KOR-USA`, events('a'));
        await store.append(`${prefix}CHN-JPN`, events('b'));
        await store.append(`${prefix}KOR-USA`, events('c'));
        await store.append(`${prefix.slice(0, -1)}x-AAA-BBB`, events('d'));

        expect(await store.listStreams(prefix)).toEqual([`${prefix}CHN-JPN`, `${prefix}KOR-USA`]);
      });

      it('finds an event by id in any stream, and nothing for an unknown id', async () => {
        const stream = unique();
        const wanted = event('wanted');
        await store.append(stream, [event('before'), wanted]);

        expect(await store.findEvent(wanted.id)).toMatchObject({
          id: wanted.id,
          streamName: stream,
          revision: 1,
        });
        expect(await store.findEvent(wanted.id.toUpperCase())).toMatchObject({ id: wanted.id });
        expect(await store.findEvent(randomUUID())).toBeUndefined();
      });

      it('finds many events by id in one call, as findEvent finds each, and leaves out unknown ids', async () => {
        const one = unique();
        const two = unique();
        const shared = event('shared');
        const a = event('a');
        const b = event('b');
        await store.append(one, [a, shared]);
        await store.append(two, [b, { ...shared, data: { label: 'again' } }]);
        const unknown = randomUUID();

        const found = await store.findEvents([a.id.toUpperCase(), shared.id, b.id, unknown, a.id]);

        expect([...found.keys()].sort()).toEqual(
          [a.id, b.id, shared.id].map((id) => id.toLowerCase()).sort(),
        );
        for (const id of [a.id, b.id, shared.id]) {
          expect(found.get(id.toLowerCase())).toEqual(await store.findEvent(id));
        }
        expect(found.get(shared.id.toLowerCase())).toMatchObject({ streamName: one, revision: 1 });
        expect(await store.findEvents([])).toEqual(new Map());
      });

      it('finds more ids in one call than one SQL statement may bind', async () => {
        const stream = unique();
        const stored = Array.from({ length: 1200 }, (_, i) => event(`e${i}`));
        for (let i = 0; i < stored.length; i += 400) await store.append(stream, stored.slice(i, i + 400));
        const asked = [...stored.map((e) => e.id), ...Array.from({ length: 100 }, () => randomUUID())];

        const found = await store.findEvents(asked);

        expect(found.size).toBe(stored.length);
        expect(found.get(stored[1100]!.id.toLowerCase())).toMatchObject({
          streamName: stream,
          revision: 1100,
        });
      });
    });

    describe('durability', () => {
      it('sees every stream, event and position after the store is reopened', async () => {
        if (!subject.reopen) {
          console.warn(`${name}: keeps nothing across a reopen, by design`);
          return;
        }
        const one = unique();
        const two = unique();
        await store.append(one, events('a', 'b'));
        await store.append(two, events('c'));
        const beforeOne = await store.readStream(one);
        const beforeTwo = await store.readStream(two);

        store = await subject.reopen();
        expect(await store.readStream(one)).toEqual(beforeOne);
        expect(await store.readStream(two)).toEqual(beforeTwo);
        expect(await store.streamRevision(one)).toBe(1);
        await store.append(one, events('d'), { expectedRevision: 1 });
        expect(labels(await store.readStream(one))).toEqual(['a', 'b', 'd']);
      });
    });
  });
}
