/** One event as recorded and as read after the corrections known at an instant. */
import type { PairId, RecordedEvent } from '../events/catalogue';
import { knownEvents, resolveCorrections } from './corrections';

/** `GET …/events/{id}`: `effective` is `null` when the event is retracted. */
export interface EventView {
  pair: PairId;
  revision: number;
  recorded: RecordedEvent;
  effective: RecordedEvent | null;
  correctedBy: string[];
  retractedBy: string | null;
}

/** The view of event `id` as known at `knownAt`, or `undefined` when it is not known then. */
export function eventView(
  events: readonly RecordedEvent[],
  q: { pair: PairId; id: string; knownAt: string },
): EventView | undefined {
  const { byId } = resolveCorrections(knownEvents(events, q.pair, q.knownAt));
  const entry = byId.get(q.id);
  if (entry === undefined) return undefined;
  return {
    pair: q.pair,
    revision: entry.recorded.revision,
    recorded: entry.recorded,
    effective: entry.retractedBy === null ? entry.effective : null,
    correctedBy: [...entry.correctedBy],
    retractedBy: entry.retractedBy,
  };
}
