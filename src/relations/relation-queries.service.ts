import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_TYPES,
  type CountryCode,
  type EventType,
  type PairId,
  type RecordedEvent,
} from '../../events/catalogue';
import { countriesOf, countryName, isCountryCode, streamNameOf } from '../../events/countries';
import { dayNumber, dayOfInstant } from '../../events/dates';
import { CLOCK, type Clock } from '../clock/clock';
import { invalidQuery, ProblemError } from '../http/problem';
import {
  dayParam,
  decodeCursor,
  encodeCursor,
  enumParam,
  instantParam,
  intParam,
  listParam,
  partialDateParam,
  stringParam,
} from '../http/query';
import { MetricsService } from '../metrics/metrics.service';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import {
  auditPage,
  changesBetween,
  dateSeries,
  eventView,
  timeline,
  verifyChain,
  type ChainVerification,
  type RelationSnapshot,
  type RelationState,
} from './domain';
import { storedForm } from './event-codec';
import { exportCsv, exportNdjson } from './export-format';
import { RELATION_READ_MODEL, type RelationReadModel } from './relation-read-model';

/** Most points one snapshots request may ask for, and most entries per page. */
export const MAX_POINTS = 1000;
export const MAX_PAGE = 1000;

export type Every = 'day' | 'week' | 'month' | 'quarter' | 'year';
const EVERY: readonly Every[] = ['day', 'week', 'month', 'quarter', 'year'];
const LONGEST_PERIOD_DAYS: Record<Every, number> = { day: 1, week: 7, month: 31, quarter: 92, year: 366 };

type Query = Record<string, unknown>;

/** The state's top-level fields in the order a state lists them: what `fields` may name. */
export const STATE_FIELDS = [
  'pair',
  'asOf',
  'knownAt',
  'revision',
  'measures',
  'agreements',
  'disputes',
  'rulings',
  'talks',
  'index',
  'pending',
  'uncertain',
  'warnings',
] as const satisfies readonly (keyof RelationState)[];
export type StateField = (typeof STATE_FIELDS)[number];
// Compiles only while every field of the state is in the list above.
const everyFieldListed: Exclude<keyof RelationState, StateField> extends never ? true : never = true;
void everyFieldListed;

/** A state, or only the fields asked for with `fields`. */
export type StateView = RelationState | Partial<RelationState>;

/**
 * `fields=index,revision`: the top-level fields of the state to answer, in the state's own order
 * whatever the order asked; `undefined` for the whole state.
 */
function fieldsParam(raw: unknown): StateField[] | undefined {
  const listed = listParam('fields', raw);
  if (listed === undefined) return undefined;
  if (listed.length === 0) throw invalidQuery('fields', 'name at least one field of the state');
  const unknown = listed.find((field) => !(STATE_FIELDS as readonly string[]).includes(field));
  if (unknown !== undefined) {
    throw invalidQuery(
      'fields',
      `"${unknown.slice(0, 40)}" is not a field of the state; give some of ${STATE_FIELDS.join(', ')}`,
    );
  }
  return STATE_FIELDS.filter((field) => listed.includes(field));
}

function pick(state: RelationState, fields: readonly StateField[] | undefined): StateView {
  if (fields === undefined) return state;
  const view: Partial<Record<StateField, unknown>> = {};
  for (const field of fields) view[field] = state[field];
  return view as Partial<RelationState>;
}

/** A pair's summary in `GET /api/relations`. */
export interface RelationSummary {
  pair: PairId;
  countries: { code: CountryCode; name: string }[];
  revision: number;
  eventCount: number;
  firstDate: string | null;
  lastDate: string | null;
  lastRecordedAt: string | null;
}

/** The reads of the API and the CLI: parse the question, ask the read model, shape the answer. */
@Injectable()
export class RelationQueries {
  private readonly summaries = new Map<PairId, RelationSummary>();

  constructor(
    @Inject(RELATION_READ_MODEL) private readonly readModel: RelationReadModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Now, and today's UTC date, from the injected clock. */
  now(): { instant: string; today: string } {
    const instant = this.clock.now().toISOString();
    return { instant, today: dayOfInstant(instant) };
  }

  /** The pair's events, or 404 `relation-not-found`. */
  private async eventsOf(pair: PairId): Promise<readonly RecordedEvent[]> {
    const events = await this.readModel.events(pair);
    if (events.length === 0) throw notFound(pair);
    return events;
  }

  async relations(): Promise<{ relations: RelationSummary[] }> {
    const pairs = await this.readModel.pairs();
    const relations: RelationSummary[] = [];
    for (const pair of pairs) {
      // A summary is a function of the pair's events, so it stays right while the revision does;
      // this keeps the list from reading every stream again on each visit.
      const revision = await this.readModel.revision(pair);
      const known = this.summaries.get(pair);
      if (known !== undefined && known.revision === revision) {
        relations.push(known);
        continue;
      }
      const events = await this.readModel.events(pair);
      if (events.length === 0) continue;
      const summary = summarise(pair, events);
      this.summaries.set(pair, summary);
      relations.push(summary);
    }
    return { relations };
  }

  async countryRelations(rawCode: string, query: Query) {
    const code = rawCode.toUpperCase();
    if (!isCountryCode(code)) {
      throw new ProblemError(
        'invalid-pair',
        `"${rawCode.slice(0, 20)}" is not an ISO 3166-1 alpha-3 country code`,
      );
    }
    const { asOf, knownAt } = this.asOfKnownAt(query);
    const pairs = (await this.readModel.pairs()).filter((pair) => countriesOf(pair).includes(code));
    const relations = [];
    for (const pair of pairs) {
      const state = await this.readModel.state(pair, asOf, knownAt);
      if (state.revision < 0) continue;
      const other = countriesOf(pair).find((c) => c !== code)!;
      relations.push({
        pair,
        counterpart: { code: other, name: countryName(other) },
        revision: state.revision,
        index: state.index,
        applies: state.measures[code],
        faces: state.measures[other],
        preferentialList: {
          applies: state.measures[code]?.preferentialList.status ?? 'unknown',
          faces: state.measures[other]?.preferentialList.status ?? 'unknown',
        },
        agreements: state.agreements,
        disputes: state.disputes,
      });
    }
    return { country: { code, name: countryName(code) }, asOf, knownAt, relations };
  }

  private asOfKnownAt(query: Query): { asOf: string; knownAt: string } {
    const { instant, today } = this.now();
    return {
      asOf: dayParam('asOf', query.asOf) ?? today,
      knownAt: instantParam('knownAt', query.knownAt) ?? instant,
    };
  }

  async state(pair: PairId, query: Query): Promise<StateView> {
    const { asOf, knownAt } = this.asOfKnownAt(query);
    const fields = fieldsParam(query.fields);
    if ((await this.readModel.revision(pair)) < 0) throw notFound(pair);
    return pick(await this.readModel.state(pair, asOf, knownAt), fields);
  }

  async snapshots(
    pair: PairId,
    query: Query,
  ): Promise<{ pair: PairId; knownAt: string; snapshots: { date: string; state: StateView }[] }> {
    const { instant, today } = this.now();
    const knownAt = instantParam('knownAt', query.knownAt) ?? instant;
    const dates = this.snapshotDates(query, today);
    const fields = fieldsParam(query.fields);
    if ((await this.readModel.revision(pair)) < 0) throw notFound(pair);
    const snapshots: RelationSnapshot[] = await this.readModel.snapshots(pair, dates, knownAt);
    if (fields === undefined) return { pair, knownAt, snapshots };
    return {
      pair,
      knownAt,
      snapshots: snapshots.map(({ date, state }) => ({ date, state: pick(state, fields) })),
    };
  }

  private snapshotDates(query: Query, today: string): string[] {
    const listed = listParam('dates', query.dates);
    if (listed !== undefined) {
      if (listed.length === 0) throw invalidQuery('dates', 'give at least one date');
      if (listed.length > MAX_POINTS) throw invalidQuery('dates', `at most ${MAX_POINTS} dates`);
      for (const date of listed) dayParam('dates', date);
      return [...new Set(listed)].sort();
    }
    const from = dayParam('from', query.from);
    if (from === undefined) throw invalidQuery('from', 'give from (and to, every) or dates');
    const to = dayParam('to', query.to) ?? today;
    const every = enumParam('every', query.every, EVERY) ?? 'month';
    if (to < from) throw invalidQuery('to', 'must not be before from');
    const span = dayNumber(to) - dayNumber(from);
    if (span / LONGEST_PERIOD_DAYS[every] > MAX_POINTS) {
      throw invalidQuery(
        'every',
        `more than ${MAX_POINTS} points from ${from} to ${to}; take a longer period`,
      );
    }
    const dates = dateSeries(from, to, every);
    if (dates.length > MAX_POINTS) {
      throw invalidQuery('every', `${dates.length} points from ${from} to ${to}; at most ${MAX_POINTS}`);
    }
    return dates;
  }

  async timeline(pair: PairId, query: Query) {
    const { instant } = this.now();
    const limit = intParam('limit', query.limit, 1, MAX_PAGE) ?? MAX_PAGE;
    const from = partialDateParam('from', query.from);
    const to = partialDateParam('to', query.to);
    const types = listParam('type', query.type);
    for (const type of types ?? []) {
      if (!(EVENT_TYPES as readonly string[]).includes(type))
        throw invalidQuery('type', `unknown event type "${type.slice(0, 60)}"`);
    }
    const cursorRaw = stringParam('cursor', query.cursor);
    let offset = 0;
    let knownAt = instantParam('knownAt', query.knownAt) ?? instant;
    if (cursorRaw !== undefined) {
      // A cursor pins the moment of the first page, so later appends do not shift the pages.
      const cursor = decodeCursor('cursor', cursorRaw);
      if (
        typeof cursor.o !== 'number' ||
        !Number.isInteger(cursor.o) ||
        cursor.o < 0 ||
        typeof cursor.k !== 'string'
      ) {
        throw invalidQuery('cursor', 'not a cursor this service gave out');
      }
      offset = cursor.o;
      knownAt = instantParam('cursor', cursor.k)!;
    }
    const events = await this.eventsOf(pair);
    const entries = timeline(events, { pair, knownAt, from, to, types: types as EventType[] | undefined });
    const page = entries.slice(offset, offset + limit);
    const next = offset + limit < entries.length ? encodeCursor({ o: offset + limit, k: knownAt }) : null;
    return { pair, knownAt, events: page, nextCursor: next };
  }

  async event(pair: PairId, id: string, query: Query) {
    const { instant } = this.now();
    const knownAt = instantParam('knownAt', query.knownAt) ?? instant;
    const events = await this.eventsOf(pair);
    const view = eventView(events, { pair, id, knownAt });
    if (view === undefined) {
      throw new ProblemError('not-found', `No event ${id.slice(0, 80)} in ${pair} as known at ${knownAt}`, {
        eventId: id.slice(0, 80),
      });
    }
    return view;
  }

  async changes(pair: PairId, query: Query) {
    const { instant, today } = this.now();
    const asOf = dayParam('asOf', query.asOf) ?? today;
    const since = instantParam('since', query.since);
    if (since === undefined) throw invalidQuery('since', 'give the earlier instant to compare with');
    const until = instantParam('until', query.until) ?? instant;
    if (until < since) throw invalidQuery('until', 'must not be before since');
    const events = await this.eventsOf(pair);
    return changesBetween(events, { pair, asOf, since, until });
  }

  async audit(pair: PairId, query: Query) {
    const fromRevision = intParam('fromRevision', query.fromRevision, 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = intParam('limit', query.limit, 1, MAX_PAGE) ?? MAX_PAGE;
    const events = await this.eventsOf(pair);
    return { pair, ...auditPage(events, { fromRevision, limit }) };
  }

  /** Verifies the chain on the events exactly as stored (an upcast event no longer matches its hash). */
  async verify(pair: PairId): Promise<ChainVerification> {
    const stored = await this.metrics.timeStore('readStream', () =>
      this.store.readStream(streamNameOf(pair)),
    );
    if (stored.length === 0) throw notFound(pair);
    return verifyChain(stored.map(storedForm));
  }

  async export(pair: PairId, format: 'ndjson' | 'csv'): Promise<string> {
    const events = await this.eventsOf(pair);
    return format === 'csv' ? exportCsv(events) : exportNdjson(events);
  }
}

export function notFound(pair: PairId): ProblemError {
  return new ProblemError('relation-not-found', `No events are recorded for ${pair}`, { pair });
}

function summarise(pair: PairId, events: readonly RecordedEvent[]): RelationSummary {
  const dated = events.filter((e) => e.type !== 'event-corrected' && e.type !== 'event-retracted');
  const starts = dated.map((e) => e.date).sort();
  const ends = dated.map((e) => e.dateEnd ?? e.date).sort();
  const last = events[events.length - 1]!;
  return {
    pair,
    countries: countriesOf(pair).map((code) => ({ code, name: countryName(code) })),
    revision: last.revision,
    eventCount: events.length,
    firstDate: starts[0] ?? null,
    lastDate: ends[ends.length - 1] ?? null,
    lastRecordedAt: last.recordedAt,
  };
}
