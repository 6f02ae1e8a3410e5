import fc from 'fast-check';
import { streamInputs } from '../test/support/arbitraries';
import {
  eased,
  given,
  lifted,
  listRemoved,
  recordAll,
  retracted,
  ruling,
  talks,
  terminationNotified,
  tightened,
  type TestInput,
} from '../test/support/recorded-events';
import { appendWarnings, endOfTimeWarnings } from './append-warnings';
import type { Warning } from './warnings';
import type { RecordedEvent } from '../events/catalogue';
import { intervalsOverlap } from '../events/dates';
import { resolveCorrections } from './corrections';
import { eventInterval, phaseOf, subjectOf } from './subject';

const PAIR = 'JPN-KOR';
const MEASURE = 'jpn-kor-semiconductor-materials-2019';

/** When `inputs` are appended to `existing`: the warnings the append answers. */
function whenAppended(existing: RecordedEvent[], ...inputs: TestInput[]) {
  const added = recordAll(PAIR, inputs, { after: existing });
  return appendWarnings(existing, added, PAIR);
}

describe('append warnings', () => {
  const stored = given(
    PAIR,
    tightened('JPN', '2019-07-04', MEASURE, ['photoresist'], { id: 'stored' }),
    eased('KOR', '2019-01-01', 'never-recorded', undefined, { id: 'old-oddity' }),
  ).events;

  it('reports what a new event does not fit in the state', () => {
    expect(
      whenAppended(stored, eased('JPN', '2019-12-20', 'no-such-measure', undefined, { id: 'new' })),
    ).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'new' })]);
  });

  it('does not repeat warnings the record already had', () => {
    expect(whenAppended(stored, lifted('JPN', '2020-01-01', MEASURE))).toEqual([]);
  });

  it('reports a warning the new event causes in an event stored earlier, whatever the dates', () => {
    // Lifting before the easing: the stored easing of photoresist now has nothing to ease.
    const withEasing = given(
      PAIR,
      tightened('JPN', '2019-07-04', MEASURE, ['photoresist']),
      eased('JPN', '2019-12-20', MEASURE, ['photoresist'], { id: 'easing' }),
    ).events;
    expect(whenAppended(withEasing, lifted('JPN', '2019-11-01', MEASURE, undefined, { id: 'lift' }))).toEqual(
      [expect.objectContaining({ code: 'not-in-state', eventId: 'easing' })],
    );
  });

  it('reports a possible duplicate naming the stored event: same type, actor, phase and subject, overlapping dates', () => {
    const warnings = whenAppended(
      stored,
      tightened('JPN', '2019-07', MEASURE, ['photoresist'], { id: 'again' }),
    );
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'possible-duplicate', eventId: 'again', relatedEventId: 'stored' }),
    ]);
    expect(warnings[0]!.message).toContain('stored');
  });

  it.each([
    ['another actor', tightened('KOR', '2019-07-04', MEASURE, ['photoresist'])],
    ['another phase', tightened('JPN', '2019-07-04', MEASURE, ['photoresist'], { phase: 'announced' })],
    ['another measure', tightened('JPN', '2019-07-04', 'other', ['photoresist'])],
    ['another type', eased('JPN', '2019-07-04', MEASURE)],
    ['dates that do not overlap', tightened('JPN', '2019-07-05', MEASURE, ['photoresist'])],
  ])('reports no duplicate for %s', (_what, input) => {
    expect(whenAppended(stored, input).filter((w) => w.code === 'possible-duplicate')).toEqual([]);
  });

  it('reports no duplicate of a retracted event', () => {
    const withRetraction = given(PAIR, listRemoved('JPN', '2019-08-28', { id: 'l' }), retracted('l')).events;
    expect(whenAppended(withRetraction, listRemoved('JPN', '2019-08-28'))).toEqual([]);
  });

  it('reports a duplicate within the same batch', () => {
    const warnings = whenAppended(
      [],
      listRemoved('JPN', '2019-08', { id: 'a' }),
      listRemoved('JPN', '2019-08-28', { id: 'b' }),
    );
    expect(warnings.filter((w) => w.code === 'possible-duplicate')).toEqual([
      expect.objectContaining({ eventId: 'b', relatedEventId: 'a' }),
    ]);
  });

  it('does not look for duplicates among rulings and talks, which have no subject', () => {
    const record = given(PAIR, ruling('KOR', '2018-10-30'), talks('JPN', '2019-12-16', 'working')).events;
    expect(whenAppended(record, ruling('KOR', '2018-10-30'), talks('JPN', '2019-12-16', 'working'))).toEqual(
      [],
    );
  });

  it('does not report a notified termination date as passed: that depends on the date asked', () => {
    expect(
      whenAppended(
        stored,
        terminationNotified('KOR', '2019-08-23', 'gsomia', '2019-11-23', { name: 'GSOMIA' }),
      ),
    ).toEqual([expect.objectContaining({ code: 'beginning-not-recorded' })]);
  });

  it('reports an invalid reference in the batch', () => {
    expect(whenAppended(stored, retracted('nothing', { id: 'r' }))).toEqual([
      expect.objectContaining({ code: 'invalid-reference', eventId: 'r' }),
    ]);
  });
});

describe('append warnings carried from one append to the next', () => {
  it('are the warnings of folding both sides afresh, for any stream cut into appends', () => {
    fc.assert(
      fc.property(
        streamInputs,
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 20 }),
        (inputs, sizes) => {
          // Given a stream recorded in batches, each append reusing the previous append's "after"
          const events = recordAll(PAIR, inputs);
          let carried: readonly Warning[] = endOfTimeWarnings([], PAIR);
          for (let start = 0, i = 0; start < events.length; i++) {
            const end = Math.min(events.length, start + sizes[i % sizes.length]!);
            const existing = events.slice(0, start);
            const added = events.slice(start, end);
            const after = endOfTimeWarnings(events.slice(0, end), PAIR);
            // When the append's warnings are computed from the carried warnings
            const fast = appendWarnings(existing, added, PAIR, { before: carried, after });
            // Then they are exactly those of the plain computation
            expect(fast).toEqual(appendWarnings(existing, added, PAIR));
            carried = after;
            start = end;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('possible duplicates', () => {
  /**
   * The rule read literally: an added event, as corrected, matches the first event before it in
   * revision order that is not retracted and, as corrected, has its type, actor, phase and subject
   * and a date interval overlapping its own.
   */
  function duplicatesByTheRule(existing: RecordedEvent[], added: RecordedEvent[]): string[][] {
    const all = [...existing, ...added];
    const resolved = resolveCorrections(all).byId;
    const asRead = (event: RecordedEvent) => resolved.get(event.id)?.effective ?? event;
    const found: string[][] = [];
    for (let i = existing.length; i < all.length; i++) {
      const mine = asRead(all[i]!);
      if (subjectOf(mine) === undefined) continue;
      for (const other of all.slice(0, i)) {
        if (resolved.get(other.id)?.retractedBy != null) continue;
        const theirs = asRead(other);
        const same =
          theirs.type === mine.type &&
          theirs.actor === mine.actor &&
          phaseOf(theirs) === phaseOf(mine) &&
          subjectOf(theirs) === subjectOf(mine) &&
          intervalsOverlap(eventInterval(theirs), eventInterval(mine));
        if (same) {
          found.push([all[i]!.id, other.id]);
          break;
        }
      }
    }
    return found;
  }

  it('are exactly those of the rule over the whole stream, corrections and retractions applied', () => {
    fc.assert(
      fc.property(streamInputs, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (inputs, picks) => {
        // Given a stream of developments of both actors, corrected and retracted here and there
        const existing = recordAll(PAIR, inputs);
        const developments = inputs.filter((input) => input.id!.startsWith('d'));
        // When developments like some of them are appended again under new ids
        const again = picks.map((pick, i) => ({
          ...developments[pick % developments.length]!,
          id: `again-${i}`,
        }));
        const added = recordAll(PAIR, again, { after: existing });
        const reported = appendWarnings(existing, added, PAIR)
          .filter((w) => w.code === 'possible-duplicate')
          .map((w) => [w.eventId, w.relatedEventId]);
        // Then the duplicates reported are those the rule finds
        expect(reported).toEqual(duplicatesByTheRule(existing, added));
      }),
      { numRuns: 300 },
    );
  });
});
