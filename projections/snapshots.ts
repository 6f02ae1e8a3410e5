/**
 * Snapshots: the state at each date of a series, computed in one pass over the events in fold
 * order instead of one fold per date.
 */
import type { PairId, RecordedEvent } from '../events/catalogue';
import { addDays, addMonths } from '../events/dates';
import { knownEvents, resolveCorrections } from './corrections';
import {
  applyEvent,
  copyState,
  initialState,
  lastRevision,
  orderForFold,
  stateFromCheckpoint,
} from './state';
import type { RelationState } from './state.types';

export type SeriesStep = 'day' | 'week' | 'month' | 'quarter' | 'year';

/**
 * The dates of a series: `from`, then one step after another while not after `to`. Month-based
 * steps count from `from` and clamp to the month's end (`2019-01-31` monthly gives `2019-02-28`,
 * then `2019-03-31`). Empty when `to` is before `from`.
 */
export function dateSeries(from: string, to: string, every: SeriesStep): string[] {
  const dates: string[] = [];
  for (let n = 0; ; n++) {
    const date =
      every === 'day'
        ? addDays(from, n)
        : every === 'week'
          ? addDays(from, 7 * n)
          : addMonths(from, n * (every === 'month' ? 1 : every === 'quarter' ? 3 : 12));
    if (date > to) return dates;
    dates.push(date);
  }
}

export interface SnapshotsQuery {
  pair: PairId;
  /** `YYYY-MM-DD` dates, in any order; duplicates allowed. */
  dates: readonly string[];
  knownAt: string;
}

export interface Snapshot {
  date: string;
  state: RelationState;
}

/**
 * The state at each date, as known at `knownAt`, each equal to `stateAt` for that date, in the
 * order asked. The fold advances through the prefix of fold-ordered events certain at every later
 * date too; only the events after that prefix that are already certain at one date (they follow a
 * long event still under way) are folded again for it, on a copy. The states share entries that the
 * fold never changes (rulings, warnings, items…): treat them as read-only.
 */
export function snapshotsAt(events: readonly RecordedEvent[], q: SnapshotsQuery): Snapshot[] {
  const known = knownEvents(events, q.pair, q.knownAt);
  const resolution = resolveCorrections(known);
  const items = orderForFold(resolution);
  const revision = lastRevision(known);
  const sorted = [...new Set(q.dates)].sort();
  const byDate = new Map<string, RelationState>();
  const prefix = initialState(q.pair);
  prefix.warnings.push(...resolution.warnings);
  let next = 0;
  for (const date of sorted) {
    while (next < items.length && items[next]!.end <= date) {
      const item = items[next]!;
      applyEvent(prefix, item.event, item.start);
      next++;
    }
    byDate.set(date, stateFromCheckpoint(prefix, items, next, { asOf: date, knownAt: q.knownAt, revision }));
  }
  // A date asked twice gets two independent states.
  const used = new Set<string>();
  return q.dates.map((date) => {
    const state = byDate.get(date)!;
    if (used.has(date)) return { date, state: copyState(state) };
    used.add(date);
    return { date, state };
  });
}
