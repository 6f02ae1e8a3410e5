import fc from 'fast-check';
import type { RecordedEvent } from '../../events/catalogue';
import { addDays } from '../../events/dates';
import { END_OF_TIME_QUESTION } from '../../projections/append-warnings';
import { stateAt } from '../../projections/state';
import {
  agreementSigned,
  recordAll,
  ruling,
  talks as talksHeld,
  terminationNotified,
  type TestInput,
} from '../../test/support/recorded-events';
import { sharedJson } from '../../projections/entry-text';
import { CHECKPOINT_OVERHEAD_SLOTS, PairProjection } from './pair-projection';

const PAIR = 'JPN-KOR';
const SOURCES = [{ publisher: 'Test Wire' }];

/** A date of 2000–2003 in one of the three precisions. */
const partialDate = fc
  .tuple(
    fc.integer({ min: 2000, max: 2003 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.nat(9),
  )
  .map(([y, m, d, precision]) => {
    const month = String(m).padStart(2, '0');
    if (precision === 0) return String(y);
    if (precision <= 2) return `${y}-${month}`;
    return `${y}-${month}-${String(d).padStart(2, '0')}`;
  });

const phase = fc.constantFrom(undefined, 'announced', 'decided', 'effective');
const actor = fc.constantFrom('JPN', 'KOR');
const measure = fc.constantFrom('m1', 'm2');

/** A development (no correction or retraction): the measure, list, agreement and talks events. */
const development: fc.Arbitrary<TestInput> = fc.oneof(
  fc
    .record({
      date: partialDate,
      actor,
      m: measure,
      phase,
      items: fc.subarray(['a', 'b', 'c'], { minLength: 1 }),
    })
    .map(
      (r) =>
        ({
          type: 'export-control-tightened',
          date: r.date,
          actor: r.actor,
          summary: 'tightened',
          sources: SOURCES,
          data: { measureId: r.m, items: r.items, ...(r.phase ? { phase: r.phase } : {}) },
        }) as TestInput,
    ),
  fc.record({ date: partialDate, actor, m: measure, lift: fc.boolean() }).map(
    (r) =>
      ({
        type: r.lift ? 'export-control-lifted' : 'export-control-eased',
        date: r.date,
        actor: r.actor,
        summary: 'eased or lifted',
        sources: SOURCES,
        data: { measureId: r.m },
      }) as TestInput,
  ),
  fc.record({ date: partialDate, actor, removed: fc.boolean(), phase }).map(
    (r) =>
      ({
        type: r.removed ? 'preferential-list-removed' : 'preferential-list-restored',
        date: r.date,
        actor: r.actor,
        summary: 'list',
        sources: SOURCES,
        data: r.phase ? { phase: r.phase } : {},
      }) as TestInput,
  ),
  fc.record({ date: partialDate, actor, kind: fc.nat(2), span: fc.nat(40) }).map((r) => {
    const type = (['agreement-signed', 'agreement-termination-notified', 'agreement-terminated'] as const)[
      r.kind
    ]!;
    const input = {
      type,
      date: r.date,
      actor: r.actor,
      summary: 'agreement',
      sources: SOURCES,
      data:
        type === 'agreement-signed' ? { agreementId: 'gsomia', name: 'GSOMIA' } : { agreementId: 'gsomia' },
    } as TestInput;
    // Some multi-day developments: a day-precision date with a `dateEnd` a few weeks on.
    if (r.date.length === 10 && r.span > 20)
      return { ...input, dateEnd: `${r.date.slice(0, 7)}-28` } as TestInput;
    return input;
  }),
  fc.record({ date: partialDate, actor }).map(
    (r) =>
      ({
        type: 'talks-held',
        date: r.date,
        actor: r.actor,
        summary: 'talks',
        sources: SOURCES,
        data: { level: 'minister' },
      }) as TestInput,
  ),
  fc.record({ date: partialDate, actor }).map(
    (r) =>
      ({
        type: 'court-ruling',
        date: r.date,
        actor: r.actor,
        summary: 'ruling',
        sources: SOURCES,
        data: { court: 'Supreme Court', holding: 'liable' },
      }) as TestInput,
  ),
);

/** One step of a stream: a development, or a correction/retraction of the `target`-th earlier event. */
type Step =
  { kind: 'development'; input: TestInput } | { kind: 'correct' | 'retract'; target: number; date: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: development.map((input) => ({ kind: 'development', input }) as Step) },
  {
    weight: 1,
    arbitrary: fc
      .record({ target: fc.nat(), date: partialDate })
      .map((r) => ({ kind: 'correct', ...r }) as Step),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ target: fc.nat(), date: partialDate })
      .map((r) => ({ kind: 'retract', ...r }) as Step),
  },
);

/** Records the steps in order; a correction or retraction names an earlier event of the stream. */
function record(steps: readonly Step[], after: readonly RecordedEvent[] = []): RecordedEvent[] {
  const events = [...after];
  for (const s of steps) {
    let input: TestInput;
    if (s.kind === 'development') input = s.input;
    else {
      const developments = events.filter((e) => e.type !== 'event-corrected' && e.type !== 'event-retracted');
      if (developments.length === 0) continue;
      const target = developments[s.target % developments.length]!;
      input =
        s.kind === 'correct'
          ? ({
              type: 'event-corrected',
              summary: 'correction',
              data: {
                eventId: target.id,
                changes: { date: s.date, summary: 'corrected' },
                reason: 'misdated',
              },
            } as TestInput)
          : ({
              type: 'event-retracted',
              summary: 'retraction',
              data: { eventId: target.id, reason: 'wrong' },
            } as TestInput);
    }
    events.push(...recordAll(PAIR, [input], { after: events }));
  }
  return events.slice(after.length);
}

const asOfDay = fc
  .tuple(
    fc.integer({ min: 1999, max: 2004 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const NOW = '2030-01-01T00:00:00.000Z';

/** `count` talks, one a month from January 2010, each dated the 15th. */
function talks(count: number): TestInput[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'talks-held',
    date: `${2010 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-15`,
    actor: 'JPN',
    summary: `talks ${i}`,
    sources: SOURCES,
    data: { level: 'minister' },
  })) as TestInput[];
}

describe('PairProjection', () => {
  it('answers every asOf and knownAt exactly as stateAt on the same events, before and after appends', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 0, maxLength: 60 }),
        fc.array(fc.array(step, { minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        // Now and then the end of time, which every append asks for its warnings.
        fc.array(
          fc.tuple(
            fc.oneof({ weight: 5, arbitrary: asOfDay }, fc.constant(END_OF_TIME_QUESTION.asOf)),
            fc.nat(80),
            fc.boolean(),
          ),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.integer({ min: 1, max: 8 }),
        (first, batches, questions, checkpointEvery) => {
          const initial = record(first);
          const projection = new PairProjection(PAIR, initial, { checkpointEvery, maxCheckpoints: 1000 });
          const ask = (events: readonly RecordedEvent[]): void => {
            for (const [asOf, knownIndex, now] of questions) {
              // Either everything is known, or the record as it stood after some earlier event.
              const knownAt =
                now || events.length === 0 ? NOW : events[knownIndex % events.length]!.recordedAt;
              expect(projection.state(asOf, knownAt)).toEqual(stateAt(events, { pair: PAIR, asOf, knownAt }));
              expect(projection.checkpointSlots).toBe(projection.recountCheckpointSlots());
            }
          };
          // Each round twice: the second meets the checkpoints the first made.
          ask(initial);
          ask(initial);
          // Appends one batch after another (developments only, or with corrections and
          // retractions), each answered before the next arrives.
          let events = initial;
          for (const batch of batches) {
            const appended = record(batch, events);
            expect(projection.extend(appended)).toBe(true);
            events = [...events, ...appended];
            ask(events);
            ask(events);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers each snapshot exactly as stateAt for that date, for everything known and for an earlier knownAt', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.array(asOfDay, { minLength: 1, maxLength: 20 }),
        (steps, dates) => {
          const events = record(steps);
          const projection = new PairProjection(PAIR, events, { checkpointEvery: 4, maxCheckpoints: 1000 });
          const earlier = events[Math.floor(events.length / 2)]?.recordedAt ?? NOW;
          const expected = (knownAt: string) =>
            dates.map((date) => ({ date, state: stateAt(events, { pair: PAIR, asOf: date, knownAt }) }));
          for (const knownAt of [NOW, earlier]) {
            expect(projection.snapshots(dates, knownAt)).toEqual(expected(knownAt));
          }
          // Asked again, the series is answered from the folds it kept at its dates, and so are
          // single states at those dates.
          expect(projection.snapshots(dates, NOW)).toEqual(expected(NOW));
          expect(projection.checkpointSlots).toBe(projection.recountCheckpointSlots());
          for (const date of dates) {
            expect(projection.state(date, NOW)).toEqual(
              stateAt(events, { pair: PAIR, asOf: date, knownAt: NOW }),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers states whose shared-entry JSON text is exactly JSON.stringify', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.array(asOfDay, { minLength: 1, maxLength: 20 }),
        (steps, dates) => {
          const projection = new PairProjection(PAIR, record(steps), {
            checkpointEvery: 2,
            maxCheckpoints: 1000,
          });
          for (const date of dates) {
            const state = projection.state(date, NOW);
            expect(Buffer.concat(sharedJson(state)).toString('utf8')).toBe(JSON.stringify(state));
          }
          for (let round = 0; round < 2; round++) {
            const answer = { pair: PAIR, knownAt: NOW, snapshots: projection.snapshots(dates, NOW) };
            expect(Buffer.concat(sharedJson(answer)).toString('utf8')).toBe(JSON.stringify(answer));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the checkpoints before an out-of-order event and rebuilds those after it', () => {
    const events = recordAll(PAIR, talks(40));
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 5, maxCheckpoints: 1000 });
    projection.state('2013-12-31', NOW);
    expect(projection.checkpointCount).toBe(1); // a pair asked once is folded plainly
    projection.state('2013-12-31', NOW);
    expect(projection.checkpointCount).toBe(9); // the initial state and one after every 5 of the 40 events

    // Given a development dated between the 12th and 13th events, appended last
    const late = recordAll(
      PAIR,
      [
        {
          type: 'talks-held',
          date: '2010-12-31',
          actor: 'KOR',
          summary: 'late',
          sources: SOURCES,
          data: { level: 'leader' },
        },
      ],
      { after: events },
    );
    projection.extend(late);
    const all = [...events, ...late];
    // When a question needs only the start of the fold, the checkpoints at 5 and 10 still serve it
    expect(projection.state('2010-06-30', NOW)).toEqual(
      stateAt(all, { pair: PAIR, asOf: '2010-06-30', knownAt: NOW }),
    );
    expect(projection.checkpointCount).toBe(3);
    // Then the later answers include the late event
    const state = projection.state('2013-12-31', NOW);
    expect(state.talks.count).toBe(41);
    expect(state).toEqual(stateAt(all, { pair: PAIR, asOf: '2013-12-31', knownAt: NOW }));
  });

  it('resumes from a checkpoint that holds back exactly the items still uncertain at asOf', () => {
    // Talks on the 15th of each month of 2010, and two more dated only by year and by month.
    const events = recordAll(PAIR, [
      ...talks(12),
      ...(['2010', '2010-06'] as const).map(
        (date) =>
          ({
            type: 'talks-held',
            date,
            actor: 'KOR',
            summary: `talks in ${date}`,
            sources: SOURCES,
            data: { level: 'leader' },
          }) as TestInput,
      ),
    ]);
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 2, maxCheckpoints: 1000 });
    const expectExact = (asOf: string) => {
      const state = projection.state(asOf, NOW);
      expect(state).toEqual(stateAt(events, { pair: PAIR, asOf, knownAt: NOW }));
      return state;
    };
    expectExact('2010-06-29'); // the first question folds plainly
    expect(projection.heldBackCount).toBe(0);
    // In June both are uncertain: no checkpoint after 1 January is usable as such
    const june = expectExact('2010-06-29');
    expect(june.uncertain.map((listed) => listed.date)).toEqual(['2010', '2010-06']);
    expect(june.talks.count).toBe(6);
    expect(projection.heldBackCount).toBe(1);
    // The same items held back, another day: the same checkpoint
    expectExact('2010-06-20');
    expect(projection.heldBackCount).toBe(1);
    // Past June, on the same checkpoint of the grid, only the year is held back: another one
    const july = expectExact('2010-07-02');
    expect(july.uncertain.map((listed) => listed.date)).toEqual(['2010']);
    expect(july.talks.count).toBe(7);
    expect(projection.heldBackCount).toBe(2);
    // Once the year is over, nothing is held back
    expect(expectExact('2010-12-31').uncertain).toEqual([]);
    expect(projection.heldBackCount).toBe(2);
  });

  it('keeps at most twice maxCheckpoints checkpoints that hold events back, dropping the oldest', () => {
    // Ten meetings that began on 1 January and ended five days apart from 20 January on: each
    // day until the last ended holds back another set of them at the same place of the grid.
    const meetings = Array.from(
      { length: 10 },
      (_, i) =>
        ({
          type: 'talks-held',
          date: '2010-01-01',
          dateEnd: addDays('2010-01-20', 5 * i),
          actor: 'KOR',
          summary: `meeting ${i}`,
          sources: SOURCES,
          data: { level: 'working' },
        }) as TestInput,
    );
    const events = recordAll(PAIR, [...talks(12), ...meetings]);
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 1, maxCheckpoints: 2 });
    projection.state('2010-12-31', NOW);
    for (let day = 14; day < 80; day++) {
      const asOf = addDays('2010-01-01', day);
      expect(projection.state(asOf, NOW)).toEqual(stateAt(events, { pair: PAIR, asOf, knownAt: NOW }));
      expect(projection.heldBackCount).toBeLessThanOrEqual(4);
      expect(projection.checkpointSlots).toBe(projection.recountCheckpointSlots());
    }
    expect(projection.heldBackCount).toBe(4);
  });

  it('answers as stateAt after a few developments and after many arrived at once', () => {
    // Rulings, whose list in the state shows the order they were folded in.
    const rulings = (count: number, from: string, prefix: string) =>
      Array.from({ length: count }, (_, i) =>
        ruling('KOR', addDays(from, 7 * i), { caseId: `${prefix}-${i}` }),
      );
    const events = recordAll(PAIR, rulings(40, '2010-01-01', 'case'));
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 4, maxCheckpoints: 1000 });
    projection.state('2011-01-01', NOW);
    projection.state('2011-01-01', NOW);
    let all = events;
    // Two late rulings (joining the order in place), then forty at once (the order sorted again).
    for (const [count, prefix] of [
      [2, 'late'],
      [40, 'later'],
    ] as const) {
      const late = recordAll(PAIR, rulings(count, '2010-01-03', prefix), { after: all });
      expect(projection.extend(late)).toBe(true);
      all = [...all, ...late];
      for (const asOf of ['2010-05-01', '2011-01-01', END_OF_TIME_QUESTION.asOf]) {
        expect(projection.state(asOf, NOW)).toEqual(stateAt(all, { pair: PAIR, asOf, knownAt: NOW }));
      }
    }
  });

  it('counts the room its checkpoints take as they are made and kept after an append', () => {
    const rulings = (count: number) =>
      Array.from({ length: count }, (_, i) =>
        ruling('KOR', addDays('2010-01-01', 10 * i), { caseId: `case-${i}` }),
      );
    const events = recordAll(PAIR, rulings(20));
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 4, maxCheckpoints: 1000 });
    expect(projection.checkpointSlots).toBe(0); // nothing folded yet
    projection.state('2011-01-01', NOW);
    expect(projection.checkpointSlots).toBe(CHECKPOINT_OVERHEAD_SLOTS); // the initial state alone
    projection.state('2011-01-01', NOW);
    // Checkpoints after 0, 4, … 20 rulings: each an overhead and one slot per ruling it lists.
    const after = (...counts: number[]) =>
      counts.reduce((sum, count) => sum + CHECKPOINT_OVERHEAD_SLOTS + count, 0);
    expect(projection.checkpointSlots).toBe(after(0, 4, 8, 12, 16, 20));

    // Given a ruling dated between the 10th and the 11th, appended last
    projection.extend(
      recordAll(PAIR, [ruling('KOR', '2010-04-05', { caseId: 'case-20' })], { after: events }),
    );
    // When the fold takes it in, the checkpoints before it stay and those after it go (a question
    // before the late ruling makes none)
    projection.state('2010-03-01', NOW);
    expect(projection.checkpointSlots).toBe(after(0, 4, 8));
    // Then the next question that reaches further makes them again, listing the late ruling too
    projection.state('2011-01-01', NOW);
    expect(projection.checkpointSlots).toBe(after(0, 4, 8, 12, 16, 20));
    expect(projection.checkpointSlots).toBe(projection.recountCheckpointSlots());
  });

  it('answers a series asked again from the states it finished, with each knownAt and after an append', () => {
    // Talks every month of 2010–2012, one dated only by year (under way through 2011), and an
    // agreement whose termination takes effect in mid-2011 (a warning that depends on the date).
    const events = recordAll(PAIR, [
      ...talks(36),
      talksHeld('KOR', '2011', 'leader'),
      agreementSigned('KOR', '2010-03-01', 'gsomia', 'GSOMIA'),
      terminationNotified('KOR', '2010-08-01', 'gsomia', '2011-06-30'),
    ]);
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 4, maxCheckpoints: 1000 });
    const dates = ['2010-06-01', '2011-03-01', '2011-09-01', '2012-06-01'];
    const expected = (all: readonly RecordedEvent[], knownAt: string) =>
      dates.map((date) => ({ date, state: stateAt(all, { pair: PAIR, asOf: date, knownAt }) }));
    expect(projection.snapshots(dates, NOW)).toEqual(expected(events, NOW)); // folds and keeps
    expect(projection.snapshots(dates, NOW)).toEqual(expected(events, NOW)); // finishes and keeps
    const later = '2031-06-01T00:00:00.000Z';
    const again = projection.snapshots(dates, later); // copies what it finished
    expect(again).toEqual(expected(events, later));
    expect(again.map(({ state }) => state.knownAt)).toEqual(dates.map(() => later));
    // Each answer is a state of its own: what one answer holds at its top level is not another's.
    const once = projection.snapshots(dates, NOW);
    (once[0]!.state as { index: unknown }).index = undefined;
    expect(projection.snapshots(dates, NOW)).toEqual(expected(events, NOW));
    // The same folds at other dates, then a series over the same dates after an event appended
    expect(projection.snapshots(['2010-06-02', '2011-03-02'], NOW)).toEqual(
      ['2010-06-02', '2011-03-02'].map((date) => ({
        date,
        state: stateAt(events, { pair: PAIR, asOf: date, knownAt: NOW }),
      })),
    );
    // An event after every date keeps the folds (only the revision changes), one before drops them.
    let all = events;
    for (const date of ['2013-05-01', '2010-01-20']) {
      const appended = recordAll(PAIR, [talksHeld('JPN', date, 'minister')], { after: all });
      projection.extend(appended);
      all = [...all, ...appended];
      for (let round = 0; round < 3; round++) {
        expect(projection.snapshots(dates, NOW)).toEqual(expected(all, NOW));
        expect(projection.checkpointSlots).toBe(projection.recountCheckpointSlots());
      }
    }
  });

  it('spaces checkpoints further apart for a large pair instead of making more', () => {
    const events = recordAll(PAIR, talks(200));
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 5, maxCheckpoints: 4 });
    projection.state('2030-12-31', NOW);
    const state = projection.state('2030-12-31', NOW);
    expect(projection.checkpointCount).toBe(5); // the initial state and one after every 50 events
    expect(state).toEqual(stateAt(events, { pair: PAIR, asOf: '2030-12-31', knownAt: NOW }));
  });

  it('rebuilds from the corrected event on: a correction moving an early event changes later answers', () => {
    const events = recordAll(PAIR, [
      {
        type: 'preferential-list-removed',
        date: '2019-08-28',
        actor: 'JPN',
        summary: 'removed',
        sources: SOURCES,
        data: {},
      },
      ...Array.from({ length: 20 }, (_, i) => ({
        type: 'talks-held' as const,
        date: `2020-01-${String(i + 1).padStart(2, '0')}`,
        actor: 'KOR',
        summary: 'talks',
        sources: SOURCES,
        data: { level: 'working' as const },
      })),
    ] as TestInput[]);
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 3, maxCheckpoints: 1000 });
    expect(projection.state('2020-06-30', NOW).measures.JPN!.preferentialList.status).toBe('removed');

    const correction = recordAll(
      PAIR,
      [
        {
          type: 'event-corrected',
          summary: 'misdated',
          data: { eventId: events[0]!.id, changes: { date: '2021-08-28' }, reason: 'wrong year' },
        } as TestInput,
      ],
      { after: events },
    );
    projection.extend(correction);

    const all = [...events, ...correction];
    const state = projection.state('2020-06-30', NOW);
    expect(state.measures.JPN!.preferentialList.status).toBe('unknown');
    expect(state).toEqual(stateAt(all, { pair: PAIR, asOf: '2020-06-30', knownAt: NOW }));
    // Knowledge before the correction still gives the earlier answer.
    expect(projection.state('2020-06-30', events[20]!.recordedAt).measures.JPN!.preferentialList.status).toBe(
      'removed',
    );
  });

  it("keeps every item's count of corrections where a development joined the order, so a later correction is seen", () => {
    const tightened = (date: string, measureId: string, items: string[]): TestInput =>
      ({
        type: 'export-control-tightened',
        date,
        actor: 'JPN',
        summary: 'tightened',
        sources: SOURCES,
        data: { measureId, items },
      }) as TestInput;
    const correct = (target: RecordedEvent, changes: object): TestInput =>
      ({
        type: 'event-corrected',
        summary: 'fix',
        data: { eventId: target.id, changes, reason: 'fix' },
      }) as TestInput;
    // Given a measure corrected once, then a later measure never corrected, then months of talks
    let events = recordAll(PAIR, [tightened('2010-01-15', 'm1', ['a'])]);
    events = [
      ...events,
      ...recordAll(PAIR, [correct(events[0]!, { summary: 'corrected once' })], { after: events }),
    ];
    events = [
      ...events,
      ...recordAll(PAIR, [tightened('2012-01-15', 'm2', ['b']), ...talks(12).slice(1)], { after: events }),
    ];
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 1, maxCheckpoints: 1000 });
    projection.state('2013-12-31', NOW);
    projection.state('2013-12-31', NOW);
    // When a development dated between the two measures joins the order in place
    const joined = recordAll(
      PAIR,
      talks(1).map((t) => ({ ...t, date: '2011-01-15' })),
      { after: events },
    );
    projection.extend(joined);
    events = [...events, ...joined];
    expect(projection.state('2013-12-31', NOW)).toEqual(
      stateAt(events, { pair: PAIR, asOf: '2013-12-31', knownAt: NOW }),
    );
    // Then a first correction of the later measure changes every answer after it
    const fix = recordAll(PAIR, [correct(events[2]!, { data: { measureId: 'm2', items: ['c'] } })], {
      after: events,
    });
    projection.extend(fix);
    events = [...events, ...fix];
    const state = projection.state('2013-12-31', NOW);
    expect(JSON.stringify(state.measures.JPN!.exportControls)).toContain('"c"');
    expect(state).toEqual(stateAt(events, { pair: PAIR, asOf: '2013-12-31', knownAt: NOW }));
  });

  it('finds its events by id, those appended after the index was made as well', () => {
    const events = recordAll(PAIR, talks(3));
    const projection = new PairProjection(PAIR, events, { checkpointEvery: 4, maxCheckpoints: 100 });
    expect(projection.byId.get(events[1]!.id)).toBe(events[1]);
    const more = recordAll(PAIR, talks(2), { after: events });
    projection.extend(more);
    expect([...projection.byId.keys()]).toEqual([...events, ...more].map((event) => event.id));
    expect(projection.byId.get(more[1]!.id)).toBe(more[1]);
  });

  it('refuses events that do not continue the stream and accepts ones it already holds', () => {
    const events = recordAll(PAIR, [
      {
        type: 'talks-held',
        date: '2020',
        actor: 'JPN',
        summary: 'a',
        sources: SOURCES,
        data: { level: 'leader' },
      },
      {
        type: 'talks-held',
        date: '2021',
        actor: 'JPN',
        summary: 'b',
        sources: SOURCES,
        data: { level: 'leader' },
      },
    ] as TestInput[]);
    const projection = new PairProjection(PAIR, events.slice(0, 1), {
      checkpointEvery: 2,
      maxCheckpoints: 1000,
    });
    const third = recordAll(
      PAIR,
      [
        {
          type: 'talks-held',
          date: '2022',
          actor: 'JPN',
          summary: 'c',
          sources: SOURCES,
          data: { level: 'leader' },
        },
      ] as TestInput[],
      { after: events },
    );
    expect(projection.extend(third)).toBe(false);
    expect(projection.revision).toBe(0);
    expect(projection.extend(events)).toBe(true);
    expect(projection.extend(events)).toBe(true);
    expect(projection.revision).toBe(1);
  });
});
