/**
 * What an append answers besides the revision: what the new events do not fit in the state, and
 * which of them look like a development already stored.
 */
import type { PairId, RecordedEvent } from '../events/catalogue';
import { intervalsOverlap } from '../events/dates';
import { isReferenceType, knownEvents, resolveCorrections } from './corrections';
import { stateAt } from './state';
import { eventInterval, phaseOf, subjectOf } from './subject';
import { warningKey, type Warning } from './warnings';

/**
 * The question whose warnings an append compares: far enough in valid time to take every event as
 * certain, as known at the end of transaction time. A read model asked this question must answer
 * exactly {@link endOfTimeWarnings}.
 */
export const END_OF_TIME_QUESTION = { asOf: '9999-12-31', knownAt: '9999-12-31T23:59:59.999Z' } as const;

/**
 * Warnings of the pair's state at the end of valid time as known at the end of transaction time:
 * what {@link appendWarnings} compares before and after an append. Callers appending in turn may
 * keep the result for the next append instead of folding the pair again.
 */
export function endOfTimeWarnings(events: readonly RecordedEvent[], pair: PairId): Warning[] {
  return stateAt(events, { pair, ...END_OF_TIME_QUESTION }).warnings;
}

/**
 * {@link endOfTimeWarnings} of the events before and after the append, when the caller already
 * has them (each is computed when absent): they must be exactly what that function returns.
 */
export interface KnownWarnings {
  before?: readonly Warning[];
  after?: readonly Warning[];
}

/**
 * Warnings for `added` (just recorded after `existing`): those of the state known after the append
 * that the state known before did not have (both at `asOf` 9999-12-31, so every event counts;
 * `terminates-on-passed`, which depends on the date asked, is left out), and
 * a `possible-duplicate` for each added event whose type, actor, phase and subject match a stored
 * (or earlier added) non-retracted event with an overlapping date interval. Rulings, talks, other
 * developments, corrections and retractions have no subject and are not checked for duplicates.
 */
export function appendWarnings(
  existing: readonly RecordedEvent[],
  added: readonly RecordedEvent[],
  pair: PairId,
  known: KnownWarnings = {},
): Warning[] {
  const before = new Map<string, number>();
  for (const w of known.before ?? endOfTimeWarnings(existing, pair)) {
    const key = warningKey(w);
    before.set(key, (before.get(key) ?? 0) + 1);
  }
  const warnings: Warning[] = [];
  for (const w of known.after ?? endOfTimeWarnings([...existing, ...added], pair)) {
    // At the end of time every notified termination date has passed: that says nothing about the append.
    if (w.code === 'terminates-on-passed') continue;
    const key = warningKey(w);
    const seen = before.get(key) ?? 0;
    if (seen > 0) before.set(key, seen - 1);
    else warnings.push(w);
  }
  // Only an added event with a subject can be a duplicate, and an added event takes another form
  // only through a correction added after it: without either, the scan below finds nothing.
  if (!added.some((event) => isReferenceType(event.type) || subjectOf(event) !== undefined)) return warnings;
  // A correction changes neither type nor actor, so only events of an added event's type and actor
  // can match one, and only the corrections and retractions can change them: the rest are left out
  // before corrections are resolved (references to them are then ignored, as they change nothing here).
  const kinds = new Map<string, Set<string>>();
  for (const e of added) kinds.set(e.type, (kinds.get(e.type) ?? new Set()).add(e.actor));
  const relevant = [...existing, ...added].filter(
    (e) => isReferenceType(e.type) || kinds.get(e.type)?.has(e.actor) === true,
  );
  const { byId } = resolveCorrections(knownEvents(relevant, pair, END_OF_TIME_QUESTION.knownAt));
  const addedIds = new Set(added.map((e) => e.id));
  const candidates = new Map<string, RecordedEvent[]>();
  for (const event of relevant) {
    const entry = byId.get(event.id);
    const effective = entry?.effective ?? event;
    const subject = subjectOf(effective);
    if (subject !== undefined) {
      const key = `${effective.type}\u0000${effective.actor}\u0000${phaseOf(effective)}\u0000${subject}`;
      const earlier = candidates.get(key) ?? [];
      if (addedIds.has(event.id)) {
        const interval = eventInterval(effective);
        const match = earlier.find((other) => intervalsOverlap(interval, eventInterval(other)));
        if (match !== undefined) {
          warnings.push({
            code: 'possible-duplicate',
            message: `${effective.type} ${event.id} (${effective.date}) looks like event ${match.id} (${match.date}) already recorded: same type, actor, phase and ${subject}, overlapping dates`,
            eventId: event.id,
            relatedEventId: match.id,
          });
        }
      }
      if (entry?.retractedBy == null) earlier.push(effective);
      candidates.set(key, earlier);
    }
  }
  return warnings;
}
