/**
 * Timeline: the pair's events in valid-time order with corrections applied. Retracted events stay,
 * marked; corrections and retractions appear too (by their own date), flagged with the event they
 * name and whether they applied, because an analyst wants to see what was changed and when.
 */
import type { CountryCode, EventType, PairId, PartialDate, RecordedEvent, Source } from '../events/catalogue';
import { knownEvents, resolveCorrections } from './corrections';
import { eventInterval } from './subject';

/** One event on the timeline, as read after corrections. */
export interface TimelineEntry {
  revision: number;
  id: string;
  type: EventType;
  date: PartialDate;
  dateEnd?: PartialDate;
  actor: CountryCode;
  summary: string;
  data: RecordedEvent['data'];
  sources: Source[];
  note?: string;
  recordedAt: string;
  recordedBy: string;
  /** Ids of the corrections applied to this event. */
  correctedBy: string[];
  /** Id of the retraction of this event, `null` when it stands. */
  retractedBy: string | null;
  retracted: boolean;
  /** For a correction or retraction: the event it names and whether it applied (invalid ones do not). */
  refersTo?: { eventId: string; applied: boolean };
}

export interface TimelineQuery {
  pair: PairId;
  knownAt: string;
  /** Keep events whose interval ends on or after this day. */
  from?: string;
  /** Keep events whose interval starts on or before this day. */
  to?: string;
  /** Keep only these types (all when absent or empty). */
  types?: readonly EventType[];
}

/** The timeline as known at `knownAt`, in order of (interval start, interval end, revision). */
export function timeline(events: readonly RecordedEvent[], q: TimelineQuery): TimelineEntry[] {
  const { events: resolved } = resolveCorrections(knownEvents(events, q.pair, q.knownAt));
  const types = q.types && q.types.length > 0 ? new Set<string>(q.types) : undefined;
  const rows: { start: string; end: string; entry: TimelineEntry }[] = [];
  for (const r of resolved) {
    const e = r.effective;
    if (types && !types.has(e.type)) continue;
    const { start, end } = eventInterval(e);
    if ((q.from !== undefined && end < q.from) || (q.to !== undefined && start > q.to)) continue;
    const entry: TimelineEntry = {
      revision: e.revision,
      id: e.id,
      type: e.type,
      date: e.date,
      ...(e.dateEnd !== undefined ? { dateEnd: e.dateEnd } : {}),
      actor: e.actor,
      summary: e.summary,
      data: e.data,
      sources: e.sources,
      ...(e.note !== undefined ? { note: e.note } : {}),
      recordedAt: e.recordedAt,
      recordedBy: e.recordedBy,
      correctedBy: [...r.correctedBy],
      retractedBy: r.retractedBy,
      retracted: r.retractedBy !== null,
    };
    if (e.type === 'event-corrected' || e.type === 'event-retracted') {
      entry.refersTo = { eventId: e.data.eventId, applied: r.referenceValid === true };
    }
    rows.push({ start, end, entry });
  }
  rows.sort((a, b) =>
    a.start !== b.start
      ? a.start < b.start
        ? -1
        : 1
      : a.end !== b.end
        ? a.end < b.end
          ? -1
          : 1
        : a.entry.revision - b.entry.revision,
  );
  return rows.map((row) => row.entry);
}
