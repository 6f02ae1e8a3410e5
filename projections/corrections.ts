/**
 * Step 2 of "State as of a date": corrections and retractions applied, in revision order, to
 * their targets. A reference that cannot apply is ignored with a warning; a recorded event is
 * never rejected by a projection.
 */
import { sealEntry } from './entry-text';
import type { EventInput, PairId, RecordedEvent } from '../events/catalogue';
import { mergePatch } from './merge-patch';
import type { Warning } from './warnings';

/** One event of the stream, as recorded and as read after the corrections known so far. */
export interface ResolvedEvent {
  recorded: RecordedEvent;
  /** The recorded event with every applicable correction applied (the same object when none). */
  effective: RecordedEvent;
  /** Ids of the corrections applied to it, in revision order. */
  correctedBy: string[];
  /** Id of the retraction that took it back, or `null`. */
  retractedBy: string | null;
  /** For a correction or retraction: whether it named a target that could take it. */
  referenceValid?: boolean;
}

/** Every known event, resolved, in revision order; `byId` to find one; warnings for ignored references. */
export interface Resolution {
  events: ResolvedEvent[];
  /** Built on first use (the fold itself does not need it); the first event recorded under an id wins. */
  readonly byId: Map<string, ResolvedEvent>;
  warnings: Warning[];
}

export function isReferenceType(type: string): type is 'event-corrected' | 'event-retracted' {
  return type === 'event-corrected' || type === 'event-retracted';
}

/**
 * Normalises an ISO 8601 instant to the `toISOString()` form that `recordedAt` uses, so that the
 * two compare as strings. An instant that does not parse is returned unchanged.
 */
export function normaliseInstant(instant: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(instant)) return instant;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? instant : new Date(ms).toISOString();
}

/** Step 1: the pair's events recorded at or before `knownAt`, in revision order. */
export function knownEvents(
  events: readonly RecordedEvent[],
  pair: PairId,
  knownAt: string,
): RecordedEvent[] {
  const limit = normaliseInstant(knownAt);
  const known = events.filter((event) => event.pair === pair && event.recordedAt <= limit);
  for (let i = 1; i < known.length; i++) {
    if (known[i - 1]!.revision > known[i]!.revision) return known.sort((a, b) => a.revision - b.revision);
  }
  return known;
}

/** Why `target` cannot take a reference from `reference`, or `null` when it can. */
function referenceProblem(
  targetId: string,
  target: ResolvedEvent | undefined,
  pair: PairId | undefined,
): string | null {
  if (target === undefined) return `event ${targetId} is not recorded in this pair`;
  if (pair !== undefined && target.recorded.pair !== pair) {
    return `event ${targetId} belongs to pair ${target.recorded.pair}`;
  }
  if (isReferenceType(target.recorded.type)) {
    return `event ${targetId} is itself a correction or retraction: name the original event`;
  }
  if (target.retractedBy !== null) {
    return `event ${targetId} is already retracted (by ${target.retractedBy})`;
  }
  return null;
}

function applyCorrection(
  target: RecordedEvent,
  changes: Readonly<Record<string, unknown>> | undefined,
): RecordedEvent {
  if (changes === undefined || changes === null || typeof changes !== 'object') return target;
  const next: Record<string, unknown> = { ...target };
  if (typeof changes.date === 'string') next.date = changes.date;
  if (changes.dateEnd === null) delete next.dateEnd;
  else if (typeof changes.dateEnd === 'string') next.dateEnd = changes.dateEnd;
  if (typeof changes.summary === 'string') next.summary = changes.summary;
  if (changes.data !== undefined) next.data = mergePatch(target.data, changes.data);
  if (Array.isArray(changes.sources)) next.sources = changes.sources;
  return next as RecordedEvent;
}

/**
 * Applies the corrections and retractions among `events` (one pair's, in revision order) to their
 * targets. A correction merges `changes.data` as an RFC 7396 merge patch, replaces `sources`,
 * `date`, `summary` and `dateEnd` (`dateEnd: null` removes it). A reference to an unknown or later
 * event, another pair's event, a correction/retraction, or an already retracted event is ignored
 * with an `invalid-reference` warning.
 */
export function resolveCorrections(events: readonly RecordedEvent[]): Resolution {
  const resolved: ResolvedEvent[] = [];
  // Only the events some reference names need finding during the pass; `byId` is built on demand.
  const named = new Set<string>();
  for (const event of events) {
    if (event.type === 'event-corrected' || event.type === 'event-retracted') named.add(event.data.eventId);
  }
  const targets = new Map<string, ResolvedEvent>();
  const warnings: Warning[] = [];
  for (const event of events) {
    const entry: ResolvedEvent = { recorded: event, effective: event, correctedBy: [], retractedBy: null };
    if (event.type === 'event-corrected' || event.type === 'event-retracted') {
      const targetId = event.data.eventId;
      const target = targets.get(targetId);
      const problem = referenceProblem(targetId, target, event.pair);
      entry.referenceValid = problem === null;
      if (problem !== null || target === undefined) {
        // Sealed like the fold's warnings: states share them.
        warnings.push(
          sealEntry({
            code: 'invalid-reference',
            message: `${event.type} ${event.id} ignored: ${problem ?? 'no target'}`,
            eventId: event.id,
            relatedEventId: targetId,
          }),
        );
      } else if (event.type === 'event-retracted') {
        target.retractedBy = event.id;
      } else {
        target.effective = applyCorrection(
          target.effective,
          event.data.changes as Readonly<Record<string, unknown>> | undefined,
        );
        target.correctedBy.push(event.id);
      }
    }
    resolved.push(entry);
    if (named.size > 0 && named.has(event.id) && !targets.has(event.id)) targets.set(event.id, entry);
  }
  let byId: Map<string, ResolvedEvent> | undefined;
  return {
    events: resolved,
    warnings,
    get byId(): Map<string, ResolvedEvent> {
      if (byId === undefined) {
        byId = new Map();
        for (const entry of resolved) if (!byId.has(entry.recorded.id)) byId.set(entry.recorded.id, entry);
      }
      return byId;
    },
  };
}

/**
 * For the append path: why `input` (a correction or retraction about to be appended) names an
 * event that cannot take it, or `null` when it can (also `null` for any other type). `existing`
 * are the events already stored (the pair's stream, plus any found elsewhere under that id);
 * `pair`, when given, is the pair being appended to. The reason is the `detail` of a 422
 * `invalid-reference`. Events earlier in the same batch belong in `existing`.
 */
export function validateReference(
  existing: readonly RecordedEvent[],
  input: EventInput,
  pair?: PairId,
): string | null {
  if (input.type !== 'event-corrected' && input.type !== 'event-retracted') return null;
  const targetId = input.data.eventId;
  const sorted = [...existing].sort((a, b) =>
    a.pair === b.pair ? a.revision - b.revision : a.pair < b.pair ? -1 : 1,
  );
  const { byId } = resolveCorrections(sorted);
  return referenceProblem(targetId, byId.get(targetId), pair);
}
