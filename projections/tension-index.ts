/**
 * The tension index, version 1 (domain.md): standing restrictions weighed from the state alone.
 * Weights change only with a new version.
 */
import type { PairId } from '../events/catalogue';
import { countriesOf } from '../events/countries';
import { addMonths } from '../events/dates';
import type { RelationState, TensionIndex } from './state.types';

export const TENSION_INDEX_VERSION = 1;

/** Version 1 weights; a negative score is more tension. */
export const TENSION_WEIGHTS_V1 = {
  itemRestricted: -0.5,
  itemEased: -0.25,
  tariff: -0.5,
  sanctions: -0.5,
  listRemoved: -1.5,
  terminationNotified: -2.5,
  terminationSuspended: -1.0,
  terminated: -3.0,
  dispute: -0.5,
  disputeSuspended: -0.25,
  ruling: -0.5,
  rulingsCap: -1.0,
  rulingYears: 5,
} as const;

/** Two decimals, and never `-0`, so that sums of quarters read as they are. */
function round(value: number): number {
  return Math.round(value * 100) / 100 + 0;
}

/**
 * The first day on which a ruling still counts for `asOf`: `asOf` minus five years (29 February
 * steps back to 28 February).
 */
export function rulingWindowStart(asOf: string): string {
  return addMonths(asOf, -12 * TENSION_WEIGHTS_V1.rulingYears);
}

/**
 * Whether a ruling dated `date` (any precision) still counts from the window's first day: the same
 * test as `endsOnOrAfter(date, windowStart)`, with the window's prefixes cut once per state instead
 * of once per ruling.
 */
function rulingCounts(date: string, window: RulingWindow): boolean {
  return date.length === 10 ? date >= window.day : date >= (date.length === 7 ? window.month : window.year);
}

interface RulingWindow {
  day: string;
  month: string;
  year: string;
}

/**
 * Computes the index of a folded state as of `asOf`. A ruling counts when its date is on or after
 * `asOf` minus five years; a reduced-precision date counts while any day of it is (`2018` counts
 * until 2023-12-31). Called for every answer, so it walks each list once and allocates only the
 * result.
 */
export function tensionIndex(
  state: Pick<RelationState, 'measures' | 'agreements' | 'disputes' | 'rulings'>,
  pair: PairId,
  asOf: string,
): TensionIndex {
  const w = TENSION_WEIGHTS_V1;
  const components: Record<string, number> = {};
  for (const country of countriesOf(pair)) components[country] = 0;
  for (const country in state.measures) {
    const measures = state.measures[country]!;
    let score = 0;
    for (const measure of measures.exportControls) {
      for (const item of measure.items) score += item.level === 'restricted' ? w.itemRestricted : w.itemEased;
    }
    score += measures.tariffs.length * w.tariff + measures.sanctions.length * w.sanctions;
    if (measures.preferentialList.status === 'removed') score += w.listRemoved;
    components[country] = round((components[country] ?? 0) + score);
  }
  let bilateral = 0;
  for (const agreement of state.agreements) {
    if (agreement.status === 'termination-notified') bilateral += w.terminationNotified;
    else if (agreement.status === 'termination-suspended') bilateral += w.terminationSuspended;
    else if (agreement.status === 'terminated') bilateral += w.terminated;
  }
  for (const dispute of state.disputes) {
    if (dispute.stage !== 'withdrawn') bilateral += dispute.suspended ? w.disputeSuspended : w.dispute;
  }
  const start = rulingWindowStart(asOf);
  const window: RulingWindow = { day: start, month: start.slice(0, 7), year: start.slice(0, 4) };
  // Rulings are capped: once enough count, the others cannot change the sum. The latest are
  // looked at first, as they are the likeliest to count.
  const enough = Math.round(w.rulingsCap / w.ruling);
  let counted = 0;
  for (let i = state.rulings.length - 1; i >= 0 && counted < enough; i--) {
    if (rulingCounts(state.rulings[i]!.date, window)) counted++;
  }
  bilateral += Math.max(counted * w.ruling, w.rulingsCap);
  components.bilateral = round(bilateral);
  let value = 0;
  for (const key in components) value += components[key]!;
  return { version: TENSION_INDEX_VERSION, value: round(value), components };
}
