/**
 * A deterministic synthetic record for one pair, for measuring the projections: the catalogue's
 * types in rough proportions, dates 1950–2025 mostly in order with 10 % appended out of order,
 * every precision, 2 % corrections and 1 % retractions.
 */
import type { PairId, RecordedEvent } from '../../events/catalogue';
import { countriesOf } from '../../events/countries';
import { daysInMonth } from '../../events/dates';
import {
  agreementSigned,
  corrected,
  disputeFiled,
  disputeSuspended,
  disputeWithdrawn,
  eased,
  lifted,
  listRemoved,
  listRestored,
  other,
  recordAll,
  retracted,
  ruling,
  sanctionsImposed,
  sanctionsLifted,
  stageReached,
  talks,
  tariffImposed,
  tariffLifted,
  terminationNotified,
  terminationSuspended,
  tightened,
  type TestInput,
} from './recorded-events';

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `count` synthetic events of `pair`, recorded one millisecond apart. Same seed, same events. */
export function syntheticRecord(pair: PairId, count: number, seed = 42): RecordedEvent[] {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const [a, b] = countriesOf(pair);
  const items = ['photoresist', 'hydrogen fluoride', 'fluorinated polyimide', 'wafers', 'lasers', 'valves'];
  const inputs: TestInput[] = [];
  const measures: string[] = [];
  for (let i = 0; i < count; i++) {
    // Valid time advances with the record; one event in ten is dated years earlier.
    const base = 1950 + Math.floor((75 * i) / count);
    const year = rand() < 0.1 ? Math.max(1950, base - 1 - Math.floor(rand() * 10)) : base;
    const month = 1 + Math.floor(rand() * 12);
    const roll = rand();
    const date =
      roll < 0.05
        ? String(year)
        : roll < 0.2
          ? `${year}-${pad(month)}`
          : `${year}-${pad(month)}-${pad(1 + Math.floor(rand() * daysInMonth(year, month)))}`;
    const actor = rand() < 0.5 ? a : b;
    const id = `syn-${i}`;
    const extra = { id, ...(rand() < 0.05 && date.length > 4 ? { dateEnd: String(year) } : {}) };
    const existing = measures.length > 0 ? pick(measures) : 'm-0';
    const t = rand();
    let input: TestInput;
    if (t < 0.02 && i > 10) {
      input = corrected(
        `syn-${Math.floor(rand() * i)}`,
        { summary: 'corrected', data: { items: [pick(items)] } },
        { id },
      );
    } else if (t < 0.03 && i > 10) {
      input = retracted(`syn-${Math.floor(rand() * i)}`, { id });
    } else if (t < 0.13) {
      const measureId = rand() < 0.3 || measures.length === 0 ? `m-${measures.length}` : existing;
      if (!measures.includes(measureId)) measures.push(measureId);
      input = tightened(actor, date, measureId, [pick(items), pick(items)], extra);
    } else if (t < 0.18)
      input = eased(actor, date, existing, rand() < 0.5 ? [pick(items)] : undefined, extra);
    else if (t < 0.23) input = lifted(actor, date, existing, rand() < 0.5 ? [pick(items)] : undefined, extra);
    else if (t < 0.33)
      input = tariffImposed(actor, date, `t-${Math.floor(rand() * 40)}`, [pick(items)], '10%', extra);
    else if (t < 0.38) input = tariffLifted(actor, date, `t-${Math.floor(rand() * 40)}`, undefined, extra);
    else if (t < 0.43)
      input = sanctionsImposed(
        actor,
        date,
        `s-${Math.floor(rand() * 40)}`,
        ['Firm A', 'Firm B'],
        'freeze',
        extra,
      );
    else if (t < 0.46)
      input = sanctionsLifted(actor, date, `s-${Math.floor(rand() * 40)}`, ['Firm A'], extra);
    else if (t < 0.49)
      input = listRemoved(actor, date, { ...extra, phase: rand() < 0.2 ? 'announced' : 'effective' });
    else if (t < 0.52) input = listRestored(actor, date, extra);
    else if (t < 0.54)
      input = agreementSigned(actor, date, `ag-${Math.floor(rand() * 10)}`, 'Agreement', extra);
    else if (t < 0.56)
      input = terminationNotified(actor, date, `ag-${Math.floor(rand() * 10)}`, `${year + 1}`, extra);
    else if (t < 0.57) input = terminationSuspended(actor, date, `ag-${Math.floor(rand() * 10)}`, extra);
    else if (t < 0.59) input = disputeFiled(actor, date, `DS${Math.floor(rand() * 700)}`, extra);
    else if (t < 0.61)
      input = stageReached(actor, date, `DS${Math.floor(rand() * 700)}`, 'panel-established', extra);
    else if (t < 0.62) input = disputeSuspended(actor, date, `DS${Math.floor(rand() * 700)}`, extra);
    else if (t < 0.63) input = disputeWithdrawn(actor, date, `DS${Math.floor(rand() * 700)}`, extra);
    else if (t < 0.68) input = ruling(actor, date, extra);
    else if (t < 0.88)
      input = talks(actor, date, 'working', { ...extra, format: 'in-person', forum: 'Policy Dialogue' });
    else input = other(actor, date, 'statement', extra);
    inputs.push(input);
  }
  return recordAll(pair, inputs, { start: '2026-01-01T00:00:00.000Z', stepMs: 1 });
}
