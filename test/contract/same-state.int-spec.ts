/**
 * Every store gives the same answers for the same events: the bundled record (moved onto a fresh
 * pair, with a correction and a retraction added) is appended through the one codec to each store,
 * read back, and its states, snapshots and chain compared with those of the events as recorded.
 * The KurrentDB leg runs wherever the KurrentDB contract does (a server named by
 * KURRENTDB_CONNECTION_STRING, else a container where a runtime is found), else it says why not.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventInput, RecordedEvent } from '../../events/catalogue';
import { streamNameOf } from '../../events/countries';
import { parseImportLine } from '../../events/parse-event';
import { stateAt, snapshotsAt, dateSeries, verifyChain } from '../../projections';
import { fromStored, storedForm, toNewEvent } from '../../src/relations/event-codec';
import { createEventStore } from '../../src/store/create-event-store';
import type { EventStore } from '../../src/store/event-store.port';
import { planKurrentDb, useKurrentDb } from '../support/kurrentdb';
import { recordAll } from '../support/recorded-events';

const KNOWN_AT = '2030-01-01T00:00:00.000Z';
const DATES = ['2019-07-03', '2019-09-30', '2019-11-22', '2020-06-02', '2023-03-23', '2023-07-21'];

/** Two distinct real codes, alphabetical, different on every run so a shared server never collides. */
function freshPair(): { pair: string; first: string; second: string } {
  const codes = [
    'AUT',
    'BEL',
    'CHE',
    'DNK',
    'ESP',
    'FIN',
    'GRC',
    'IRL',
    'ISL',
    'LUX',
    'NLD',
    'NOR',
    'PRT',
    'SWE',
  ];
  const a = codes[Math.floor(Math.random() * codes.length)]!;
  const rest = codes.filter((c) => c !== a);
  const b = rest[Math.floor(Math.random() * rest.length)]!;
  const [first, second] = a < b ? [a, b] : [b, a];
  return { pair: `${first}-${second}`, first, second };
}

function bundledRecordOn(first: string, second: string): (EventInput & { id?: string })[] {
  const lines = readFileSync(join(__dirname, '../../events/datasets/jpn-kor.ndjson'), 'utf8')
    .trim()
    .split('\n');
  const inputs = lines.map((line) => {
    const parsed = parseImportLine(JSON.parse(line));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const { id: _id, ...event } = parsed.value.event;
    return { ...event, actor: event.actor === 'JPN' ? first : second } as EventInput;
  });
  return inputs;
}

async function roundTrip(
  store: EventStore,
  recorded: RecordedEvent[],
  pair: string,
): Promise<RecordedEvent[]> {
  const stream = streamNameOf(pair);
  for (let i = 0; i < recorded.length; i += 20) {
    const batch = recorded.slice(i, i + 20);
    await store.append(stream, batch.map(toNewEvent), { expectedRevision: i === 0 ? 'no-stream' : i - 1 });
  }
  return store.readStream(stream).then((events) => events.map(fromStored));
}

function answers(events: RecordedEvent[], pair: string) {
  return {
    states: DATES.map((asOf) => stateAt(events, { pair, asOf, knownAt: KNOWN_AT })),
    snapshots: snapshotsAt(events, {
      pair,
      dates: dateSeries('2019-01-01', '2023-12-01', 'month'),
      knownAt: KNOWN_AT,
    }),
  };
}

type Leg = { name: string; open: () => Promise<{ store: EventStore; close: () => Promise<void> }> };

const legs: Leg[] = [
  {
    name: 'memory',
    open: async () => {
      const store = await createEventStore('memory');
      return { store, close: () => store.close() };
    },
  },
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'relations-same-state-'));
      const store = await createEventStore(`sqlite:${join(dir, 'relations.db')}`);
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
const kurrent = planKurrentDb();
if ('skip' in kurrent) console.warn(`Same-state check on KurrentDB skipped: ${kurrent.skip}`);

describe('the same events give the same answers on every store', () => {
  const { pair, first, second } = freshPair();
  const inputs = bundledRecordOn(first, second);
  const base = recordAll(pair, inputs, { start: '2026-11-28T10:00:00.000Z' });
  const gsomiaNotice = base.find(
    (e) => e.type === 'agreement-termination-notified' && e.data.phase !== 'announced',
  )!;
  const licence = base.find((e) => e.type === 'other-development')!;
  const recorded = recordAll(
    pair,
    [
      {
        id: randomUUID(),
        type: 'event-corrected',
        summary: 'The termination date was misread.',
        data: { eventId: gsomiaNotice.id, changes: { data: { terminatesOn: '2019-11-22' } }, reason: 'test' },
      },
      {
        id: randomUUID(),
        type: 'event-retracted',
        summary: 'Not a development between the two governments.',
        data: { eventId: licence.id, reason: 'test' },
      },
    ],
    { after: base },
  );
  const all = [...base, ...recorded];
  const expected = answers(all, pair);

  const check = async (leg: Leg): Promise<void> => {
    const { store, close } = await leg.open();
    try {
      const stream = streamNameOf(pair);
      const back = await roundTrip(store, all, pair);
      expect(back).toHaveLength(all.length);
      expect(answers(back, pair)).toEqual(expected);
      const stored = (await store.readStream(stream)).map(storedForm);
      expect(verifyChain(stored)).toEqual({ valid: true, checked: all.length });
      // The correction really bears on the answer, so a store that dropped it would be caught.
      expect(expected.states[1]!.agreements.find((a) => a.agreementId === 'gsomia')?.terminatesOn).toBe(
        '2019-11-22',
      );
    } finally {
      await close();
    }
  };

  it.each(legs.map((leg) => [leg.name, leg] as const))(
    'gives on %s the states, snapshots and chain of the events as recorded',
    (_name, leg) => check(leg),
  );

  // A leg that cannot run is counted as skipped, not left out of the count (its reason is printed above).
  if ('skip' in kurrent) {
    it.skip('gives on kurrentdb the states, snapshots and chain of the events as recorded', () => undefined);
  } else {
    // A block of its own, so a container that cannot start fails this leg and not the others.
    describe('with a KurrentDB', () => {
      const connectionString = useKurrentDb(kurrent);
      it('gives on kurrentdb the states, snapshots and chain of the events as recorded', () =>
        check({
          name: 'kurrentdb',
          open: async () => {
            const store = await createEventStore(connectionString());
            return { store, close: () => store.close() };
          },
        }));
    });
  }
});
