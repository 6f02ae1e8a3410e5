import fc from 'fast-check';
import { addMonths, endOf } from '../events/dates';
import {
  agreementSigned,
  agreementTerminated,
  disputeFiled,
  disputeSuspended,
  disputeWithdrawn,
  eased,
  given,
  listRemoved,
  ruling,
  sanctionsImposed,
  tariffImposed,
  terminationNotified,
  terminationSuspended,
  tightened,
} from '../test/support/recorded-events';
import type { RelationState } from './state.types';
import { rulingWindowStart, tensionIndex } from './tension-index';

const PAIR = 'JPN-KOR';

describe('the tension index, version 1', () => {
  it('weighs each restricted item -0.5 and each eased item -0.25 on the imposing country', () => {
    const state = given(
      PAIR,
      tightened('JPN', '2019-07-04', 'm', ['a', 'b', 'c']),
      eased('JPN', '2019-12-20', 'm', ['a']),
    ).stateOn('2020-01-01');
    expect(state.index).toEqual({
      version: 1,
      value: -1.25,
      components: { JPN: -1.25, KOR: 0, bilateral: 0 },
    });
  });

  it('weighs each tariff and each sanctions measure -0.5 whatever its size', () => {
    const state = given(
      PAIR,
      tariffImposed('KOR', '2019-09-18', 't1', ['steel', 'fish', 'cars']),
      sanctionsImposed('KOR', '2019-09-18', 's1', ['Firm A', 'Firm B']),
      sanctionsImposed('JPN', '2019-09-18', 's2', ['Firm C']),
    ).stateOn('2020-01-01');
    expect(state.index.components).toEqual({ JPN: -0.5, KOR: -1, bilateral: 0 });
    expect(state.index.value).toBe(-1.5);
  });

  it('weighs a preferential list removal -1.5 on the country that removed', () => {
    const state = given(PAIR, listRemoved('KOR', '2019-09-18')).stateOn('2020-01-01');
    expect(state.index.components).toEqual({ JPN: 0, KOR: -1.5, bilateral: 0 });
  });

  it.each([
    ['termination-notified', [terminationNotified('KOR', '2019-08-23', 'g', '2019-11-23')], -2.5],
    [
      'termination-suspended',
      [terminationNotified('KOR', '2019-08-23', 'g'), terminationSuspended('KOR', '2019-11-22', 'g')],
      -1,
    ],
    ['terminated', [agreementTerminated('KOR', '2019-11-23', 'g')], -3],
    ['in force', [agreementSigned('KOR', '2016-11-23', 'g', 'GSOMIA')], 0],
  ])('weighs an agreement %s as bilateral', (_status, inputs, weight) => {
    expect(given(PAIR, ...inputs).stateOn('2019-12-31').index.components.bilateral).toBe(weight);
  });

  it.each([
    ['open', [disputeFiled('KOR', '2019-09-11', 'DS590')], -0.5],
    [
      'suspended',
      [disputeFiled('KOR', '2019-09-11', 'DS590'), disputeSuspended('KOR', '2019-10-01', 'DS590')],
      -0.25,
    ],
    [
      'withdrawn',
      [disputeFiled('KOR', '2019-09-11', 'DS590'), disputeWithdrawn('KOR', '2019-10-01', 'DS590')],
      0,
    ],
  ])('weighs a WTO dispute %s as bilateral', (_status, inputs, weight) => {
    expect(given(PAIR, ...inputs).stateOn('2019-12-31').index.components.bilateral).toBe(weight);
  });

  describe('rulings', () => {
    const record = given(PAIR, ruling('KOR', '2018-10-30'));

    it('counts a ruling -0.5 on the day it is given', () => {
      expect(record.stateOn('2018-10-30').index.components.bilateral).toBe(-0.5);
    });

    it('counts a ruling until asOf minus five years passes its date, then no more', () => {
      expect(record.stateOn('2023-10-30').index.components.bilateral).toBe(-0.5);
      expect(record.stateOn('2023-10-31').index.components.bilateral).toBe(0);
      expect(record.stateOn('2023-10-31').rulings).toHaveLength(1);
    });

    it('counts a year-precision ruling while any day of its year is within five years', () => {
      const year = given(PAIR, ruling('KOR', '2018'));
      expect(year.stateOn('2023-12-31').index.components.bilateral).toBe(-0.5);
      expect(year.stateOn('2024-01-01').index.components.bilateral).toBe(0);
    });

    it('counts at most -1.0 for all rulings together', () => {
      const three = given(
        PAIR,
        ruling('KOR', '2018-10-30'),
        ruling('KOR', '2018-11-29'),
        ruling('JPN', '2019-01-01'),
      );
      expect(three.stateOn('2019-06-01').index.components.bilateral).toBe(-1);
    });

    it('steps back from 29 February to 28 February five years before', () => {
      expect(rulingWindowStart('2024-02-29')).toBe('2019-02-28');
    });
  });

  it('adds the components into the value, to two decimals, with no -0', () => {
    const state = given(
      PAIR,
      ruling('KOR', '2018-10-30'),
      tightened('JPN', '2019-07-04', 'm', ['a', 'b', 'c']),
      eased('JPN', '2019-12-20', 'm', ['a']),
      listRemoved('JPN', '2019-08-28'),
      terminationNotified('KOR', '2019-08-23', 'g', '2019-11-23'),
      disputeFiled('KOR', '2019-09-11', 'DS590'),
    ).stateOn('2019-09-30');
    expect(state.index).toEqual({
      version: 1,
      value: -6.5,
      components: { JPN: -3, KOR: 0, bilateral: -3.5 },
    });
    expect(Object.is(state.index.components.KOR, -0)).toBe(false);
  });

  describe('against a plain reading of the rule', () => {
    /** Every ruling looked at, in any order, each by the last day of its date. */
    function rulingsPart(rulings: readonly { date: string }[], asOf: string): number {
      const from = addMonths(asOf, -60);
      const counting = rulings.filter((r) => endOf(r.date) >= from).length;
      return Math.max(-0.5 * counting, -1);
    }

    const day = fc
      .record({
        y: fc.integer({ min: 1990, max: 2030 }),
        m: fc.integer({ min: 1, max: 12 }),
        d: fc.integer({ min: 1, max: 28 }),
      })
      .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    // Rulings of every precision, in any order (the fold lists them as it meets them).
    const rulingDate = fc.oneof(
      day,
      day.map((d) => d.slice(0, 7)),
      day.map((d) => d.slice(0, 4)),
    );

    it('counts the same rulings as taking each date by its last day, whatever their order', () => {
      fc.assert(
        fc.property(fc.array(rulingDate, { maxLength: 12 }), day, (dates, asOf) => {
          const state = {
            measures: {
              JPN: {
                exportControls: [],
                tariffs: [],
                sanctions: [],
                preferentialList: { status: 'unknown' },
              },
              KOR: {
                exportControls: [],
                tariffs: [],
                sanctions: [],
                preferentialList: { status: 'unknown' },
              },
            },
            agreements: [],
            disputes: [],
            rulings: dates.map((date) => ({ date })),
          } as unknown as Pick<RelationState, 'measures' | 'agreements' | 'disputes' | 'rulings'>;
          const index = tensionIndex(state, PAIR, asOf);
          const expected = rulingsPart(state.rulings, asOf) + 0;
          expect(index.components).toEqual({ JPN: 0, KOR: 0, bilateral: expected });
          expect(index.value).toBe(expected);
        }),
        { numRuns: 500 },
      );
    });
  });
});
