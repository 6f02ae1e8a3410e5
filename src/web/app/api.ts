/**
 * The HTTP API as this page reads it: one typed function per endpoint, same origin only.
 * Shapes follow the service's API contract; fields the page does not show are left out.
 */
import type { RecordedEvent, Source } from '../../../events/catalogue';

/** A country of a pair, with its English short name. */
export interface Country {
  code: string;
  name: string;
}

/** One row of `GET /api/relations`. */
export interface RelationSummary {
  pair: string;
  countries: Country[];
  revision: number;
  eventCount: number;
  firstDate: string | null;
  lastDate: string | null;
  lastRecordedAt: string | null;
}

/** A timeline entry: the event as read after corrections, marked when retracted. */
export type TimelineEvent = RecordedEvent & {
  correctedBy?: string[];
  retractedBy?: string | null;
  retracted?: boolean;
};

/** `GET /api/relations/{pair}/events/{id}`. */
export interface EventView {
  pair: string;
  revision: number;
  recorded: RecordedEvent;
  effective: RecordedEvent | null;
  correctedBy: string[];
  retractedBy: string | null;
}

/** One export-control item and its level. */
export interface ControlItem {
  name: string;
  level: string;
  since: string;
}

/** The measures one country applies toward the other. */
export interface CountryMeasures {
  exportControls: { measureId: string; since: string; items: ControlItem[]; eventIds: string[] }[];
  tariffs: {
    measureId: string;
    products: string[];
    rate?: string | null;
    since: string;
    eventIds: string[];
  }[];
  sanctions: {
    measureId: string;
    targets: string[];
    kind?: string | null;
    since: string;
    eventIds: string[];
  }[];
  preferentialList: { status: string; list?: string; since?: string; eventId?: string };
}

/** A warning of the fold: something recorded that does not fit the state. */
export interface StateWarning {
  code?: string;
  message?: string;
  eventId?: string;
}

/** A pending or uncertain event named by the state. */
export interface NamedEvent {
  eventId: string;
  type: string;
  date: string;
  phase?: string;
  summary: string;
}

/** `GET /api/relations/{pair}/state`. */
export interface RelationState {
  pair: string;
  asOf: string;
  knownAt: string;
  revision: number;
  measures: Record<string, CountryMeasures>;
  agreements: {
    agreementId: string;
    name: string;
    status: string;
    since?: string;
    terminatesOn?: string;
    eventId?: string;
  }[];
  disputes: {
    disputeId: string;
    forum: string;
    complainant: string;
    respondent: string;
    stage: string;
    suspended: boolean;
    since?: string;
  }[];
  rulings: { date: string; court: string; holding: string; eventId: string }[];
  talks: { count: number; last: Record<string, unknown> | null };
  index: { version: number; value: number; components: Record<string, number> };
  pending: NamedEvent[];
  uncertain: NamedEvent[];
  warnings: (StateWarning | string)[];
}

/** `GET /api/relations/{pair}/snapshots?fields=index`: each point's state holds its index only. */
export interface IndexSeries {
  pair: string;
  knownAt: string;
  snapshots: { date: string; state: Pick<RelationState, 'index'> }[];
}

/** One row of `GET /api/relations/{pair}/audit`. */
export interface AuditEntry {
  revision: number;
  id: string;
  type: string;
  date: string;
  recordedAt: string;
  recordedBy: string;
  prevHash: string;
  hash: string;
}

/** `GET /api/relations/{pair}/audit/verify`. */
export type Verification =
  | { valid: true; checked: number }
  | { valid: false; firstInvalidRevision: number; reason: string; checked?: number };

/** An event recorded between the two moments that bears on the state at `asOf`. */
export interface ChangeEvent {
  revision: number;
  id: string;
  type: string;
  date: string;
  dateEnd?: string;
  summary: string;
  recordedAt: string;
  recordedBy: string;
  /** What it did to the view of `asOf`, in a few words. */
  effect: string;
}

/** `GET /api/relations/{pair}/changes`. */
export interface Changes {
  pair: string;
  asOf: string;
  since: { knownAt: string; state: RelationState };
  until: { knownAt: string; state: RelationState };
  events: ChangeEvent[];
}

export type { RecordedEvent, Source };

/** A problem document (RFC 9457) turned into an error the page can show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, value);
  const search = params.toString();
  const response = await fetch(search ? `${path}?${search}` : path, {
    headers: { Accept: 'application/json' },
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = (body ?? {}) as { title?: string; detail?: string };
    throw new ApiError(response.status, problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
  return body as T;
}

const pairPath = (pair: string): string => `./api/relations/${encodeURIComponent(pair)}`;

export const api = {
  relations: () => getJson<{ relations: RelationSummary[] }>('./api/relations'),

  /** Every timeline page, followed to the end. */
  async timeline(pair: string, knownAt?: string): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const body = await getJson<{ events: TimelineEvent[]; nextCursor?: string | null }>(
        `${pairPath(pair)}/events`,
        { knownAt, cursor, limit: '1000' },
      );
      events.push(...body.events);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    return events;
  },

  event: (pair: string, id: string, knownAt?: string) =>
    getJson<EventView>(`${pairPath(pair)}/events/${encodeURIComponent(id)}`, { knownAt }),

  state: (pair: string, asOf: string, knownAt?: string) =>
    getJson<RelationState>(`${pairPath(pair)}/state`, { asOf, knownAt }),

  /**
   * The tension index along a series of dates. Only the index is asked for: whole states at a
   * thousand points of a long record would be tens of megabytes.
   */
  indexSeries: (pair: string, from: string, to: string, every: string, knownAt?: string) =>
    getJson<IndexSeries>(`${pairPath(pair)}/snapshots`, { from, to, every, knownAt, fields: 'index' }),

  /** The tension index at each of the given days (at most 1000), in one request. */
  indexAt: (pair: string, dates: readonly string[], knownAt?: string) =>
    getJson<IndexSeries>(`${pairPath(pair)}/snapshots`, {
      dates: dates.join(','),
      knownAt,
      fields: 'index',
    }),

  changes: (pair: string, asOf: string, since: string, until?: string) =>
    getJson<Changes>(`${pairPath(pair)}/changes`, { asOf, since, until }),

  /** The whole audit trail, page by page. */
  async audit(pair: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let fromRevision = 0;
    for (let page = 0; page < 1000; page++) {
      const body = await getJson<{ entries: AuditEntry[]; nextRevision?: number | null }>(
        `${pairPath(pair)}/audit`,
        {
          fromRevision: String(fromRevision),
          limit: '1000',
        },
      );
      entries.push(...body.entries);
      if (body.nextRevision === null || body.nextRevision === undefined || body.entries.length === 0) break;
      fromRevision = body.nextRevision;
    }
    return entries;
  },

  verify: (pair: string) => getJson<Verification>(`${pairPath(pair)}/audit/verify`),
};
