import fc from 'fast-check';
import {
  addDays,
  addMonths,
  dayFromNumber,
  dayNumber,
  dayOfInstant,
  daysInMonth,
  endOf,
  endsOnOrAfter,
  intervalOf,
  intervalsOverlap,
  isDay,
  isPartialDate,
  partialDateProblem,
  precisionOf,
  startOf,
} from './dates';

describe('reduced-precision dates', () => {
  it.each([
    ['2019'],
    ['2019-09'],
    ['2019-09-30'],
    ['2020-02-29'],
    ['2000-02-29'],
    ['0001-01-01'],
    ['9999-12-31'],
  ])('accepts %s', (date) => {
    expect(partialDateProblem(date)).toBeUndefined();
    expect(isPartialDate(date)).toBe(true);
  });

  it.each([
    ['2019-02-30', '2019-02-30 does not exist in the calendar'],
    ['2019-02-29', '2019-02-29 does not exist in the calendar'],
    ['1900-02-29', '1900-02-29 does not exist in the calendar'],
    ['2019-04-31', '2019-04-31 does not exist in the calendar'],
    ['2019-13', 'month 13 does not exist'],
    ['2019-00', 'month 00 does not exist'],
    ['2019-01-00', '2019-01-00 does not exist in the calendar'],
    ['0000', 'year must be 0001 or later'],
  ])('refuses %s: %s', (date, problem) => {
    expect(partialDateProblem(date)).toBe(problem);
  });

  it.each([
    ['19-07'],
    ['+002019'],
    ['2019-7'],
    ['2019-07-4'],
    ['2019-07-04T00:00Z'],
    [' 2019'],
    ['2019-W27'],
    [''],
  ])('refuses the form %p, never padding or guessing', (date) => {
    expect(partialDateProblem(date)).toMatch(/^must be YYYY, YYYY-MM or YYYY-MM-DD/);
  });

  it.each([[2019], [null], [undefined], [new Date(0)]])('refuses the non-string %p', (value) => {
    expect(partialDateProblem(value)).toBe('must be a date string: YYYY, YYYY-MM or YYYY-MM-DD');
  });

  it('tells a day from a coarser date', () => {
    expect(isDay('2019-09-30')).toBe(true);
    expect(isDay('2019-09')).toBe(false);
    expect(isDay('2019-09-31')).toBe(false);
    expect([precisionOf('2019'), precisionOf('2019-09'), precisionOf('2019-09-30')]).toEqual([
      'year',
      'month',
      'day',
    ]);
  });

  it('counts the days of February by the Gregorian leap rules', () => {
    expect([daysInMonth(2019, 2), daysInMonth(2020, 2), daysInMonth(1900, 2), daysInMonth(2000, 2)]).toEqual([
      28, 29, 28, 29,
    ]);
  });
});

describe('the interval a date denotes', () => {
  it('ends 2019-02 on 2019-02-28 and 2020-02 on 2020-02-29', () => {
    expect(endOf('2019-02')).toBe('2019-02-28');
    expect(endOf('2020-02')).toBe('2020-02-29');
  });

  it('spans a whole year, a whole month, or one day', () => {
    expect(intervalOf('2019')).toEqual({ start: '2019-01-01', end: '2019-12-31' });
    expect(intervalOf('2019-09')).toEqual({ start: '2019-09-01', end: '2019-09-30' });
    expect(intervalOf('2019-09-11')).toEqual({ start: '2019-09-11', end: '2019-09-11' });
    expect(startOf('2019-09')).toBe('2019-09-01');
  });

  it('ends on or after a day exactly when its last day is that day or later', () => {
    const day = fc
      .date({
        min: new Date('1900-01-01T00:00:00Z'),
        max: new Date('2100-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    const partial = fc.tuple(day, fc.constantFrom(4, 7, 10)).map(([d, length]) => d.slice(0, length));
    fc.assert(
      fc.property(partial, day, (date, other) => {
        expect(endsOnOrAfter(date, other)).toBe(endOf(date) >= other);
      }),
      { numRuns: 2000 },
    );
    expect(endsOnOrAfter('2019-02', '2019-02-28')).toBe(true);
    expect(endsOnOrAfter('2019-02', '2019-03-01')).toBe(false);
    expect(endsOnOrAfter('2018', '2018-12-31')).toBe(true);
  });

  it('is widened to the end of dateEnd', () => {
    expect(intervalOf('2020-03-10', '2020-03-11')).toEqual({ start: '2020-03-10', end: '2020-03-11' });
    expect(intervalOf('2019-07', '2019-08')).toEqual({ start: '2019-07-01', end: '2019-08-31' });
  });

  it('overlaps another when they share at least one day, ends included', () => {
    const september = intervalOf('2019-09');
    expect(intervalsOverlap(september, intervalOf('2019-09-30'))).toBe(true);
    expect(intervalsOverlap(september, intervalOf('2019'))).toBe(true);
    expect(intervalsOverlap(september, intervalOf('2019-10-01'))).toBe(false);
    expect(intervalsOverlap(intervalOf('2019-08-31'), september)).toBe(false);
  });
});

describe('calendar arithmetic', () => {
  it('moves by days across months, years and leap days', () => {
    expect(addDays('2019-12-31', 1)).toBe('2020-01-01');
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2020-03-01', -1)).toBe('2020-02-29');
    expect(addDays('2019-08-23', 92)).toBe('2019-11-23');
  });

  it('moves by months, clamped to the last day of the month', () => {
    expect(addMonths('2019-01-31', 1)).toBe('2019-02-28');
    expect(addMonths('2020-01-31', 1)).toBe('2020-02-29');
    expect(addMonths('2019-08-31', 1)).toBe('2019-09-30');
    expect(addMonths('2019-11-15', 3)).toBe('2020-02-15');
    expect(addMonths('2019-03-31', -1)).toBe('2019-02-28');
    expect(addMonths('2019-05-15', -17)).toBe('2017-12-15');
  });

  it('numbers consecutive days consecutively: 719,162 days from 0001-01-01 to 1970-01-01', () => {
    expect(dayNumber('1970-01-01') - dayNumber('0001-01-01')).toBe(719162);
    expect(dayNumber('2020-03-01') - dayNumber('2020-02-28')).toBe(2);
  });

  it('round-trips every day through its number, one day apart from the next', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('0001-01-01'), max: dayNumber('9999-12-30') }), (n) => {
        const day = dayFromNumber(n);
        return isDay(day) && dayNumber(day) === n && dayNumber(addDays(day, 1)) === n + 1;
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the proleptic Gregorian calendar of Date.UTC', () => {
    const epoch = dayNumber('1970-01-01');
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1600-01-01'), max: dayNumber('2400-12-31') }), (n) => {
        const iso = new Date((n - epoch) * 86_400_000).toISOString().slice(0, 10);
        return dayFromNumber(n) === iso;
      }),
    );
  });

  it('takes the UTC day of an instant', () => {
    expect(dayOfInstant('2019-11-22T15:00:00.000Z')).toBe('2019-11-22');
  });
});
