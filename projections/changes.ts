/**
 * "What changed our view": the state at `asOf` as known at two instants, and the events recorded
 * between them that bear on it.
 */
import type { EventType, PairId, PartialDate, RecordedEvent } from '../events/catalogue';
import { startOf } from '../events/dates';
import { knownEvents, normaliseInstant, resolveCorrections, type ResolvedEvent } from './corrections';
import { stateAt } from './state';
import type { RelationState } from './state.types';
import { eventInterval, phaseOf } from './subject';

export interface ChangesQuery {
  pair: PairId;
  /** Valid time of the question, `YYYY-MM-DD`. */
  asOf: string;
  /** The earlier instant. */
  since: string;
  /** The later instant. */
  until: string;
}

/** An event recorded between the two instants that bears on the state at `asOf`. */
export interface ChangeEvent {
  revision: number;
  id: string;
  type: EventType;
  date: PartialDate;
  dateEnd?: PartialDate;
  summary: string;
  recordedAt: string;
  recordedBy: string;
  /** What it did to the view of `asOf`, in a few words. */
  effect: string;
}

export interface Changes {
  pair: PairId;
  asOf: string;
  since: { knownAt: string; state: RelationState };
  until: { knownAt: string; state: RelationState };
  events: ChangeEvent[];
}

function startsBy(event: RecordedEvent, asOf: string): boolean {
  return startOf(event.date) <= asOf;
}

function developmentEffect(entry: ResolvedEvent, asOf: string): string {
  if (entry.retractedBy !== null) return `recorded, then retracted by ${entry.retractedBy}`;
  const event = entry.effective;
  if (eventInterval(event).end > asOf) return `under way on ${asOf}: listed as uncertain`;
  const phase = phaseOf(event);
  return phase === 'effective' ? 'applied' : `${phase}: listed as pending`;
}

function changedFields(changes: Record<string, unknown>): string {
  const names = Object.keys(changes).filter((key) => changes[key] !== undefined);
  return names.length > 0 ? names.join(', ') : 'nothing';
}

/**
 * Every event recorded in (`since`, `until`] whose interval starts on or before `asOf`, and every
 * correction or retraction recorded then whose target's interval (as recorded or as corrected)
 * starts on or before `asOf`, each with its `effect`.
 */
export function changesBetween(events: readonly RecordedEvent[], q: ChangesQuery): Changes {
  const since = normaliseInstant(q.since);
  const until = normaliseInstant(q.until);
  const { events: resolved, byId } = resolveCorrections(knownEvents(events, q.pair, until));
  const changes: ChangeEvent[] = [];
  for (const entry of resolved) {
    const event = entry.recorded;
    if (event.recordedAt <= since) continue;
    let effect: string | undefined;
    if (event.type === 'event-corrected' || event.type === 'event-retracted') {
      const target = byId.get(event.data.eventId);
      const bears =
        target !== undefined && (startsBy(target.recorded, q.asOf) || startsBy(target.effective, q.asOf));
      if (!bears) continue;
      if (entry.referenceValid !== true) effect = `ignored: ${event.data.eventId} cannot take it`;
      else if (event.type === 'event-retracted') effect = `retracts ${event.data.eventId}`;
      else
        effect = `corrects ${event.data.eventId}: ${changedFields(event.data.changes as Record<string, unknown>)}`;
    } else {
      if (!startsBy(entry.effective, q.asOf)) continue;
      effect = developmentEffect(entry, q.asOf);
    }
    changes.push({
      revision: event.revision,
      id: event.id,
      type: event.type,
      date: event.date,
      ...(event.dateEnd !== undefined ? { dateEnd: event.dateEnd } : {}),
      summary: event.summary,
      recordedAt: event.recordedAt,
      recordedBy: event.recordedBy,
      effect,
    });
  }
  return {
    pair: q.pair,
    asOf: q.asOf,
    since: { knownAt: q.since, state: stateAt(events, { pair: q.pair, asOf: q.asOf, knownAt: q.since }) },
    until: { knownAt: q.until, state: stateAt(events, { pair: q.pair, asOf: q.asOf, knownAt: q.until }) },
    events: changes,
  };
}
