/**
 * fast-check arbitraries for property tests of the projections: small vocabularies (two measures,
 * three items, one agreement, one dispute) so that generated events interact.
 */
import fc from 'fast-check';
import type { CorrectionChanges, Phase } from '../../events/catalogue';
import { daysInMonth } from '../../events/dates';
import { eventInterval } from '../../projections/subject';
import {
  agreementNormalised,
  agreementSigned,
  agreementTerminated,
  corrected,
  disputeFiled,
  disputeResumed,
  disputeSuspended,
  disputeWithdrawn,
  eased,
  lifted,
  listRemoved,
  listRestored,
  other,
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
  type Extra,
  type TestInput,
} from './recorded-events';

const pad = (n: number) => String(n).padStart(2, '0');

/** A reduced-precision date in 2018..2021, mostly days. */
export const partialDate = fc
  .record({
    year: fc.integer({ min: 2018, max: 2021 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    precision: fc.constantFrom('day', 'day', 'day', 'day', 'month', 'year'),
  })
  .map(({ year, month, day, precision }) =>
    precision === 'year'
      ? String(year)
      : precision === 'month'
        ? `${year}-${pad(month)}`
        : `${year}-${pad(month)}-${pad(Math.min(day, daysInMonth(year, month)))}`,
  );

/** A `YYYY-MM-DD` day in 2017..2022, around the generated events. */
export const day = fc
  .record({
    year: fc.integer({ min: 2017, max: 2022 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ year, month, day: d }) => `${year}-${pad(month)}-${pad(d)}`);

const actor = fc.constantFrom('JPN', 'KOR');
const measure = fc.constantFrom('m1', 'm2');
const items = fc.subarray(['a', 'b', 'c'], { minLength: 1 });
const phase: fc.Arbitrary<Phase> = fc.constantFrom(
  'effective',
  'effective',
  'effective',
  'announced',
  'decided',
);

/** One development (no correction or retraction), without id. */
export const development: fc.Arbitrary<TestInput> = fc
  .record({
    kind: fc.integer({ min: 0, max: 21 }),
    actor,
    date: partialDate,
    widen: fc.boolean(),
    measure,
    items,
    someItems: fc.option(items, { nil: undefined }),
    phase,
  })
  .map(({ kind, actor: a, date, widen, measure: m, items: it, someItems, phase: p }) => {
    // A multi-day development sometimes: the same date widened to the end of its year.
    const extra: Extra = widen && kind % 3 === 0 && date.length > 4 ? { dateEnd: date.slice(0, 4) } : {};
    const withPhase: Extra = { ...extra, phase: p };
    const makers: (() => TestInput)[] = [
      () => ruling(a, date, extra),
      () => tightened(a, date, m, it, withPhase),
      () => eased(a, date, m, someItems, withPhase),
      () => lifted(a, date, m, someItems, withPhase),
      () => tariffImposed(a, date, m, it, '10%', withPhase),
      () => tariffLifted(a, date, m, someItems, withPhase),
      () => sanctionsImposed(a, date, m, it, 'freeze', withPhase),
      () => sanctionsLifted(a, date, m, someItems, withPhase),
      () => listRemoved(a, date, withPhase),
      () => listRestored(a, date, withPhase),
      () => agreementSigned(a, date, 'g', 'GSOMIA', extra),
      () => terminationNotified(a, date, 'g', '2019-11-23', withPhase),
      () => terminationSuspended(a, date, 'g', withPhase),
      () => agreementNormalised(a, date, 'g', withPhase),
      () => agreementTerminated(a, date, 'g', withPhase),
      () => disputeFiled(a, date, 'DS590', extra),
      () => stageReached(a, date, 'DS590', 'panel-established', extra),
      () => disputeSuspended(a, date, 'DS590', withPhase),
      () => disputeResumed(a, date, 'DS590', withPhase),
      () => disputeWithdrawn(a, date, 'DS590', withPhase),
      () => talks(a, date, 'working', extra),
      () => other(a, date, 'statement', extra),
    ];
    return makers[kind]!();
  });

/** Changes a correction may carry. */
export const correctionChanges: fc.Arbitrary<CorrectionChanges> = fc.oneof<fc.Arbitrary<CorrectionChanges>[]>(
  partialDate.map((date) => ({ date })),
  fc.constant({ dateEnd: null }),
  fc.constant({ summary: 'corrected summary' }),
  items.map((list) => ({ data: { items: list, products: list, targets: list } })),
  fc.constant({ data: { phase: 'effective' } }),
  fc.constant({ sources: [{ publisher: 'Better Source' }] }),
);

/**
 * A stream's inputs: developments with ids `d0…`, then corrections and retractions (ids `r0…`)
 * naming a development, another reference, or an unknown id, placed after what they name.
 */
export const streamInputs: fc.Arbitrary<TestInput[]> = fc
  .record({
    developments: fc.array(development, { minLength: 1, maxLength: 25 }),
    references: fc.array(
      fc.record({
        target: fc.nat(),
        retract: fc.boolean(),
        changes: correctionChanges,
        unknown: fc.nat({ max: 9 }),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ developments, references }) => {
    const inputs: TestInput[] = developments.map((d, i) => ({ ...d, id: `d${i}` }));
    references.forEach((ref, j) => {
      const pool = inputs.map((input) => input.id!);
      const target = ref.unknown === 0 ? `missing-${j}` : pool[ref.target % pool.length]!;
      inputs.push(
        ref.retract ? retracted(target, { id: `r${j}` }) : corrected(target, ref.changes, { id: `r${j}` }),
      );
    });
    return inputs;
  });

/**
 * Whether no two developments of `inputs` share an interval, the case in which fold order is free
 * of revisions. A correction of `date` or `dateEnd` gives its target another interval, which must
 * not be another development's either.
 */
export function intervalsDistinct(inputs: readonly TestInput[]): boolean {
  const owners = new Map<string, string>();
  const dates = new Map<string, { date: string; dateEnd: string | undefined }>();
  const claim = (id: string, date: string, dateEnd: string | undefined): boolean => {
    const { start, end } = eventInterval({ date, dateEnd });
    const key = `${start}/${end}`;
    const owner = owners.get(key);
    if (owner !== undefined && owner !== id) return false;
    owners.set(key, id);
    dates.set(id, { date, dateEnd });
    return true;
  };
  for (const [index, input] of inputs.entries()) {
    if (input.type === 'event-retracted') continue;
    if (input.type === 'event-corrected') {
      const { eventId, changes } = input.data as unknown as {
        eventId?: unknown;
        changes?: Record<string, unknown>;
      };
      const before = typeof eventId === 'string' ? dates.get(eventId) : undefined;
      if (before === undefined || changes === undefined) continue;
      const date = typeof changes.date === 'string' ? changes.date : before.date;
      const dateEnd =
        'dateEnd' in changes
          ? typeof changes.dateEnd === 'string'
            ? changes.dateEnd
            : undefined
          : before.dateEnd;
      if (!claim(eventId as string, date, dateEnd)) return false;
      continue;
    }
    if (!claim(input.id ?? `#${index}`, input.date!, input.dateEnd)) return false;
  }
  return true;
}

/**
 * A permutation of `inputs` (by the given sort keys) in which every reference still follows what
 * it names, and references to the same target keep their order: another append order of the same
 * record.
 */
export function shuffleKeepingReferences(inputs: readonly TestInput[], keys: readonly number[]): TestInput[] {
  const order = inputs.map((input, i) => ({ input, key: keys[i % keys.length] ?? i, i }));
  order.sort((a, b) => a.key - b.key || a.i - b.i);
  const emitted = new Set<string>();
  const out: TestInput[] = [];
  let waiting = order.map((o) => o.input);
  while (waiting.length > 0) {
    const next: TestInput[] = [];
    for (const input of waiting) {
      const isRef = input.type === 'event-corrected' || input.type === 'event-retracted';
      const target = isRef ? input.data.eventId : undefined;
      const earlierRefs = inputs.filter(
        (other) =>
          (other.type === 'event-corrected' || other.type === 'event-retracted') &&
          other.data.eventId === target &&
          inputs.indexOf(other) < inputs.indexOf(input),
      );
      const ready =
        !isRef ||
        ((!inputs.some((o) => o.id === target) || emitted.has(target!)) &&
          earlierRefs.every((r) => emitted.has(r.id!)));
      if (ready) {
        out.push(input);
        emitted.add(input.id!);
      } else next.push(input);
    }
    waiting = next;
  }
  return out;
}
