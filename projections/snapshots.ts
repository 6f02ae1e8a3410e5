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
  finishState,
  initialState,
  lastRevision,
  orderForFold,
  type FoldItem,
} from './state';
import type { RelationState } from './state.types';
import type { Warning } from './warnings';

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

/**
 * Shown the fold at a date of a series before it is completed for that date: the fold of the
 * first `index` items without those at `heldAt` (under way then). It goes on changing: a caller
 * that keeps it keeps a copy (`copyState`).
 */
export type KeepFold = (index: number, heldAt: readonly number[], state: RelationState) => void;

export interface Snapshot {
  date: string;
  state: RelationState;
}

/**
 * The state at each date, as known at `knownAt`, each equal to `stateAt` for that date, in the
 * order asked, in one pass over the events in fold order (see {@link snapshotsAlong}). The states
 * share entries that the fold never changes (rulings, warnings, items…): treat them as read-only.
 */
export function snapshotsAt(events: readonly RecordedEvent[], q: SnapshotsQuery): Snapshot[] {
  const known = knownEvents(events, q.pair, q.knownAt);
  const resolution = resolveCorrections(known);
  const items = orderForFold(resolution);
  const prefix = initialState(q.pair);
  prefix.warnings.push(...resolution.warnings);
  return snapshotsAlong(prefix, items, 0, q.dates, { knownAt: q.knownAt, revision: lastRevision(known) });
}

/**
 * The one pass behind {@link snapshotsAt}, from any fold prefix: `prefix` is the fold of
 * `items[0..next)` (warnings that do not come from the fold already first in it, or given as
 * `ctx.referenceWarnings`), every one of which ends on or before the earliest of `dates`. Takes
 * ownership of `prefix` and advances it. A cache resumes here from a checkpoint instead of from
 * the first event, and may `keep` the fold at each date.
 *
 * An event under way at a date (a month-precision event, a range) stops the prefix there, since
 * the events after it in fold order must wait for it. The events after it that are already over
 * go into a second running fold, `past`, which skips the ones under way and serves each later date
 * while they are still under way; once one of them is over, `past` is folded again from the
 * prefix. So such an event costs one refold when it ends, not one per date while it lasts.
 */
export function snapshotsAlong(
  prefix: RelationState,
  items: readonly FoldItem[],
  next: number,
  dates: readonly string[],
  ctx: { knownAt: string; revision: number; referenceWarnings?: readonly Warning[] },
  keep?: KeepFold,
): Snapshot[] {
  const byDate = new Map<string, RelationState>();
  /** The prefix, then the items after it over by the last date, in fold order; `undefined`: none. */
  let past: RelationState | undefined;
  /** The items from `next` up to here were taken into `past` or into `underWay`. */
  let frontier = next;
  /** Items before `frontier` skipped by `past`: under way at the last date; and their positions. */
  let underWay: FoldItem[] = [];
  let underWayAt: number[] = [];
  for (const date of [...new Set(dates)].sort()) {
    while (next < items.length && items[next]!.end <= date) {
      const item = items[next]!;
      applyEvent(prefix, item.event, item.start);
      next++;
    }
    if (past !== undefined && underWay.some((item) => item.end <= date)) past = undefined;
    if (past === undefined) {
      if (next >= items.length || items[next]!.start > date) {
        keep?.(next, [], prefix);
        byDate.set(date, finishState(copyState(prefix), { asOf: date, ...ctx, uncertain: [] }));
        continue;
      }
      past = copyState(prefix);
      frontier = next;
      underWay = [];
      underWayAt = [];
    }
    for (; frontier < items.length && items[frontier]!.start <= date; frontier++) {
      const item = items[frontier]!;
      if (item.end <= date) applyEvent(past, item.event, item.start);
      else {
        underWay.push(item);
        underWayAt.push(frontier);
      }
    }
    keep?.(frontier, underWayAt, past);
    byDate.set(date, finishState(copyState(past), { asOf: date, ...ctx, uncertain: underWay }));
  }
  // A date asked twice gets two independent states.
  const used = new Set<string>();
  return dates.map((date) => {
    const state = byDate.get(date)!;
    if (used.has(date)) return { date, state: copyState(state) };
    used.add(date);
    return { date, state };
  });
}
