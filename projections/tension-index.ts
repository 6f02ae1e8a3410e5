/**
 * The tension index, version 1 (domain.md): standing restrictions weighed from the state alone.
 * Weights change only with a new version.
 */
import type { PairId } from '../events/catalogue';
import { countriesOf } from '../events/countries';
import { addMonths, endsOnOrAfter } from '../events/dates';
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
 * Computes the index of a folded state as of `asOf`. A ruling counts when its date is on or after
 * `asOf` minus five years; a reduced-precision date counts while any day of it is (`2018` counts
 * until 2023-12-31).
 */
export function tensionIndex(
  state: Pick<RelationState, 'measures' | 'agreements' | 'disputes' | 'rulings'>,
  pair: PairId,
  asOf: string,
): TensionIndex {
  const w = TENSION_WEIGHTS_V1;
  const components: Record<string, number> = {};
  for (const country of countriesOf(pair)) components[country] = 0;
  for (const [country, measures] of Object.entries(state.measures)) {
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
  const windowStart = rulingWindowStart(asOf);
  let rulings = 0;
  for (const ruling of state.rulings) if (endsOnOrAfter(ruling.date, windowStart)) rulings += w.ruling;
  bilateral += Math.max(rulings, w.rulingsCap);
  components.bilateral = round(bilateral);
  const value = round(Object.values(components).reduce((sum, part) => sum + part, 0));
  return { version: TENSION_INDEX_VERSION, value, components };
}
