import fc from 'fast-check';
import { day, streamInputs } from '../test/support/arbitraries';
import {
  agreementNormalised,
  agreementSigned,
  agreementTerminated,
  corrected,
  retracted,
  terminationNotified,
  terminationSuspended,
  type TestInput,
  given,
  listRemoved,
  NOW,
  recordAll,
  ruling,
  tightened,
  lifted,
} from '../test/support/recorded-events';
import { dateSeries, snapshotsAt } from './snapshots';
import { stateAt } from './state';

const PAIR = 'JPN-KOR';

describe('snapshots', () => {
  describe('dateSeries', () => {
    it('starts at from and steps by day, week, month, quarter or year up to to', () => {
      expect(dateSeries('2019-01-30', '2019-02-02', 'day')).toEqual([
        '2019-01-30',
        '2019-01-31',
        '2019-02-01',
        '2019-02-02',
      ]);
      expect(dateSeries('2019-01-01', '2019-01-22', 'week')).toEqual([
        '2019-01-01',
        '2019-01-08',
        '2019-01-15',
        '2019-01-22',
      ]);
      expect(dateSeries('2019-01-15', '2019-12-31', 'quarter')).toEqual([
        '2019-01-15',
        '2019-04-15',
        '2019-07-15',
        '2019-10-15',
      ]);
      expect(dateSeries('2016-02-29', '2020-03-01', 'year')).toEqual([
        '2016-02-29',
        '2017-02-28',
        '2018-02-28',
        '2019-02-28',
        '2020-02-29',
      ]);
    });

    it('clamps monthly steps to the month’s end, counting from the first date', () => {
      expect(dateSeries('2019-01-31', '2019-04-30', 'month')).toEqual([
        '2019-01-31',
        '2019-02-28',
        '2019-03-31',
        '2019-04-30',
      ]);
    });

    it('is empty when to is before from, and one point when they are equal', () => {
      expect(dateSeries('2019-02-01', '2019-01-01', 'day')).toEqual([]);
      expect(dateSeries('2019-02-01', '2019-02-01', 'month')).toEqual(['2019-02-01']);
    });

    it('gives 120 monthly points over ten years', () => {
      expect(dateSeries('2014-01-01', '2023-12-31', 'month')).toHaveLength(120);
    });
  });

  describe('snapshotsAt', () => {
    it('returns the states in the order asked, each for its own date', () => {
      const record = given(PAIR, listRemoved('JPN', '2019-08-28'));
      const snapshots = snapshotsAt(record.events, {
        pair: PAIR,
        dates: ['2020-01-01', '2019-01-01'],
        knownAt: NOW,
      });
      expect(
        snapshots.map((s) => [s.date, s.state.asOf, s.state.measures.JPN!.preferentialList.status]),
      ).toEqual([
        ['2020-01-01', '2020-01-01', 'removed'],
        ['2019-01-01', '2019-01-01', 'unknown'],
      ]);
    });

    it('folds an event that follows a long one still under way into the date it is certain by, in fold order', () => {
      // The year-long tightening is folded before the lift at the end of 2019 only.
      const events = recordAll(PAIR, [
        tightened('JPN', '2019', 'm', ['a']),
        lifted('JPN', '2019-06-01', 'm'),
      ]);
      const [june, december] = snapshotsAt(events, {
        pair: PAIR,
        dates: ['2019-07-01', '2019-12-31'],
        knownAt: NOW,
      });
      expect(june!.state.warnings.map((w) => w.code)).toEqual(['not-in-state']);
      expect(june!.state.uncertain).toHaveLength(1);
      expect(december!.state.measures.JPN!.exportControls).toEqual([]);
      expect(december!.state.warnings).toEqual([]);
    });

    it('gives independent states, even for a date asked twice', () => {
      const record = given(PAIR, ruling('KOR', '2018-10-30'));
      const [a, b] = snapshotsAt(record.events, {
        pair: PAIR,
        dates: ['2019-01-01', '2019-01-01'],
        knownAt: NOW,
      });
      a!.state.rulings.pop();
      expect(b!.state.rulings).toHaveLength(1);
    });

    it('equals the state computed for each date on its own (property)', () => {
      fc.assert(
        fc.property(
          streamInputs,
          fc.array(day, { minLength: 1, maxLength: 8 }),
          fc.nat({ max: 40 }),
          (inputs, dates, cut) => {
            const events = recordAll(PAIR, inputs);
            const knownAt = events[Math.min(cut, events.length - 1)]!.recordedAt;
            const snapshots = snapshotsAt(events, { pair: PAIR, dates, knownAt });
            expect(snapshots.map((s) => s.date)).toEqual(dates);
            for (const { date, state } of snapshots) {
              expect(state).toEqual(stateAt(events, { pair: PAIR, asOf: date, knownAt }));
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});

const pad = (n: number) => String(n).padStart(2, '0');
const month = fc.integer({ min: 0, max: 5 }).map((m) => `2000-${pad(m + 1)}`);
const monthOrDay = fc.oneof(
  month,
  fc.tuple(month, fc.constantFrom('01', '02', '28', '29', '30', '31')).map(([m, d]) => {
    const days = new Date(Date.UTC(2000, Number(m.slice(5)), 0)).getUTCDate();
    return `${m}-${pad(Math.min(Number(d), days))}`;
  }),
  fc.constant('2000'),
);
const boundaryDay = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.boolean())
  .map(([m, last]) =>
    last ? new Date(Date.UTC(2000, m + 1, 0)).toISOString().slice(0, 10) : `2000-${pad(m + 1)}-01`,
  );
const agreementEvent = fc
  .tuple(
    fc.integer({ min: 0, max: 4 }),
    fc.constantFrom('JPN', 'KOR'),
    monthOrDay,
    fc.constantFrom('g', 'h'),
    fc.option(monthOrDay, { nil: undefined }),
  )
  .map(([kind, actor, date, id, end]): TestInput => {
    const extra = end !== undefined ? { dateEnd: end > date ? end : date } : {};
    return [
      () => agreementSigned(actor, date, id, 'A', extra),
      () => terminationNotified(actor, date, id, '2000-04-15', extra),
      () => terminationSuspended(actor, date, id, extra),
      () => agreementNormalised(actor, date, id, extra),
      () => agreementTerminated(actor, date, id, extra),
    ][kind]!();
  });

describe('snapshots around month boundaries', () => {
  // A report once had an agreement dated 2000-03 in the 2000-02-01 snapshot: month-precision
  // events, dates on the first and last day of months, corrections moving dates, aimed at that.
  it('equal the state computed for each date on its own, with month-precision agreements corrected across months (property)', () => {
    fc.assert(
      fc.property(
        fc.array(agreementEvent, { minLength: 1, maxLength: 12 }),
        fc.array(
          fc.record({ target: fc.nat(), retract: fc.boolean(), date: monthOrDay, end: fc.boolean() }),
          { maxLength: 5 },
        ),
        fc.array(boundaryDay, { minLength: 1, maxLength: 10 }),
        fc.nat({ max: 20 }),
        (developments, refs, dates, cut) => {
          const inputs: TestInput[] = developments.map((d, i) => ({ ...d, id: `d${i}` }));
          refs.forEach((ref, j) => {
            const target = inputs[ref.target % inputs.length]!.id!;
            inputs.push(
              ref.retract
                ? retracted(target, { id: `r${j}` })
                : corrected(target, ref.end ? { date: ref.date, dateEnd: null } : { date: ref.date }, {
                    id: `r${j}`,
                  }),
            );
          });
          const events = recordAll(PAIR, inputs);
          const knownAt = events[Math.min(cut, events.length - 1)]!.recordedAt;
          for (const { date, state } of snapshotsAt(events, { pair: PAIR, dates, knownAt })) {
            expect(state).toEqual(stateAt(events, { pair: PAIR, asOf: date, knownAt }));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
