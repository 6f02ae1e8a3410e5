/**
 * Reduced-precision dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and the intervals they denote.
 * A date is a calendar date in the acting country's local calendar, so no time zone applies:
 * everything here works on strings and integers, never on `Date` objects.
 */
import type { PartialDate } from './catalogue';

export type DatePrecision = 'year' | 'month' | 'day';

/** A closed interval of calendar days, both ends `YYYY-MM-DD`. */
export interface DateInterval {
  start: string;
  end: string;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of the proleptic Gregorian calendar (month 1..12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Why a string is not a reduced-precision date, or `undefined` when it is one. */
export function partialDateProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a date string: YYYY, YYYY-MM or YYYY-MM-DD';
  const match = PARTIAL_DATE.exec(value);
  if (!match) return 'must be YYYY, YYYY-MM or YYYY-MM-DD (a missing part is left out, never padded)';
  const year = Number(match[1]);
  if (year < 1) return 'year must be 0001 or later';
  if (match[2] !== undefined) {
    const month = Number(match[2]);
    if (month < 1 || month > 12) return `month ${match[2]} does not exist`;
    if (match[3] !== undefined) {
      const day = Number(match[3]);
      if (day < 1 || day > daysInMonth(year, month)) return `${value} does not exist in the calendar`;
    }
  }
  return undefined;
}

export function isPartialDate(value: unknown): value is PartialDate {
  return partialDateProblem(value) === undefined;
}

/** A full calendar day `YYYY-MM-DD` that exists. */
export function isDay(value: unknown): value is string {
  return typeof value === 'string' && DAY.test(value) && isPartialDate(value);
}

export function precisionOf(date: PartialDate): DatePrecision {
  return date.length === 4 ? 'year' : date.length === 7 ? 'month' : 'day';
}

/** First day of the interval a reduced-precision date denotes. */
export function startOf(date: PartialDate): string {
  if (date.length === 4) return `${date}-01-01`;
  if (date.length === 7) return `${date}-01`;
  return date;
}

/** Last day of the interval a reduced-precision date denotes. */
export function endOf(date: PartialDate): string {
  if (date.length === 4) return `${date}-12-31`;
  if (date.length === 7) {
    const [y, m] = date.split('-').map(Number) as [number, number];
    return `${date}-${pad(daysInMonth(y, m))}`;
  }
  return date;
}

/**
 * Whether the last day of `date` is on or after `day` (`endOf(date) >= day`), without building
 * that last day: the interval of a year or month reaches `day` when `day`'s year or month is not
 * later than it.
 */
export function endsOnOrAfter(date: PartialDate, day: string): boolean {
  return date >= day.slice(0, date.length);
}

/** The interval of `date`, widened to the end of `dateEnd` when given. */
export function intervalOf(date: PartialDate, dateEnd?: PartialDate): DateInterval {
  return { start: startOf(date), end: endOf(dateEnd ?? date) };
}

/** Whether two closed day intervals share at least one day. */
export function intervalsOverlap(a: DateInterval, b: DateInterval): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The day (YYYY-MM-DD) of an ISO 8601 instant, in UTC. */
export function dayOfInstant(instant: string): string {
  return instant.slice(0, 10);
}

/**
 * A serial number for a `YYYY-MM-DD` day (consecutive days, consecutive numbers; day 0 is the
 * proleptic 0000-03-01, so 0001-01-01 is 306); lets callers step through calendars without `Date`.
 * Only differences between day numbers carry meaning.
 */
export function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // Civil-from-days inverse (Howard Hinnant's algorithm), shifted so March starts the year.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe;
}

/** Inverse of {@link dayNumber}. */
export function dayFromNumber(n: number): string {
  const era = Math.floor(n / 146097);
  const doe = n - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** `day` moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  return dayFromNumber(dayNumber(day) + days);
}

/** `day` moved by `months` calendar months, clamped to the month's last day (01-31 + 1 month = 02-28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return `${pad(ny, 4)}-${pad(nm)}-${pad(Math.min(d, daysInMonth(ny, nm)))}`;
}
