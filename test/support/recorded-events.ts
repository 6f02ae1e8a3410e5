/**
 * Test builders: recorded events made the one way the service makes them (`recordEnvelope`), with
 * deterministic ids and a fixed clock, plus factories that keep given/when/then specs readable.
 */
import { v5 as uuidv5 } from 'uuid';
import {
  GENESIS_HASH,
  type CorrectionChanges,
  type CountryCode,
  type DisputeStage,
  type EventInput,
  type PairId,
  type Phase,
  type RecordedEvent,
  type Source,
  type TalksLevel,
} from '../../events/catalogue';
import { recordEnvelope } from '../../projections/recording';
import { stateAt } from '../../projections/state';
import type { RelationState } from '../../projections/state.types';

/** Namespace for the deterministic test ids (a fixed random UUID). */
const TEST_NAMESPACE = '3b1f7c52-6d0e-4c5a-9a8e-0f4d2b7e9c11';

export const DEFAULT_START = '2026-01-01T00:00:00.000Z';
export const NOW = '2030-01-01T00:00:00.000Z';
const SOURCE: Source = { publisher: 'Test Wire', url: 'https://example.org/news' };

/** An input with an optional id, as a builder accepts it. */
export type TestInput = EventInput & { id?: string };

export interface RecordOptions {
  /** recordedAt of the first event (default 2026-01-01T00:00:00.000Z). */
  start?: string;
  /** Milliseconds between two recordings (default 1000). */
  stepMs?: number;
  recordedBy?: string;
  /** Events already in the stream: the new ones continue its revisions, clock and chain. */
  after?: readonly RecordedEvent[];
}

/** Deterministic UUID for the n-th event of a pair built without an explicit id. */
export function testId(pair: PairId, n: number): string {
  return uuidv5(`${pair}#${n}`, TEST_NAMESPACE);
}

/** Records `inputs` in order as the service would: revisions, a fixed stepping clock, the hash chain. */
export function recordAll(
  pair: PairId,
  inputs: readonly TestInput[],
  opts: RecordOptions = {},
): RecordedEvent[] {
  const after = opts.after ?? [];
  const last = after[after.length - 1];
  const stepMs = opts.stepMs ?? 1000;
  const startMs = last ? Date.parse(last.recordedAt) + stepMs : Date.parse(opts.start ?? DEFAULT_START);
  const out: RecordedEvent[] = [];
  let prevHash = last?.hash ?? GENESIS_HASH;
  inputs.forEach((input, i) => {
    const revision = after.length + i;
    const event = recordEnvelope(
      pair,
      { ...input, id: input.id ?? testId(pair, revision) },
      {
        revision,
        recordedAt: new Date(startMs + i * stepMs).toISOString(),
        recordedBy: opts.recordedBy ?? 'test:recorder',
        prevHash,
      },
    );
    prevHash = event.hash;
    out.push(event);
  });
  return out;
}

/** Re-records the same events in another append order: new revisions, clock and chain, same ids. */
export function reRecord(
  pair: PairId,
  events: readonly RecordedEvent[],
  opts: RecordOptions = {},
): RecordedEvent[] {
  return recordAll(
    pair,
    events.map((e) => {
      const input: Record<string, unknown> = {
        id: e.id,
        type: e.type,
        date: e.date,
        dateEnd: e.dateEnd,
        actor: e.actor,
        summary: e.summary,
        data: e.data,
        sources: e.sources,
        note: e.note,
      };
      return input as unknown as TestInput;
    }),
    opts,
  );
}

// ---- given / when / then ----------------------------------------------------------------------

/** A recorded stream under test, with the questions specs ask of it. */
export interface Given {
  pair: PairId;
  events: RecordedEvent[];
  /** The state on `asOf` as known now (or at `knownAt`). */
  stateOn(asOf: string, knownAt?: string): RelationState;
  /** The same stream with more events recorded after it. */
  and(...inputs: TestInput[]): Given;
  /** The event recorded for the input with this id (throws when absent: a broken spec). */
  event(id: string): RecordedEvent;
}

function givenEvents(pair: PairId, events: RecordedEvent[]): Given {
  return {
    pair,
    events,
    stateOn: (asOf, knownAt = NOW) => stateAt(events, { pair, asOf, knownAt }),
    and: (...inputs) => givenEvents(pair, [...events, ...recordAll(pair, inputs, { after: events })]),
    event: (id) => {
      const found = events.find((e) => e.id === id);
      if (!found) throw new Error(`no event ${id} in the given stream`);
      return found;
    },
  };
}

/** `given('JPN-KOR', tightened(...), listRemoved(...))`: the events recorded in that order. */
export function given(pair: PairId, ...inputs: TestInput[]): Given {
  return givenEvents(pair, recordAll(pair, inputs));
}

// ---- factories --------------------------------------------------------------------------------

/** Envelope options every factory accepts. */
export interface Extra {
  id?: string;
  dateEnd?: string;
  summary?: string;
  phase?: Phase;
  sources?: Source[];
  note?: string;
}

function envelope<T extends EventInput['type']>(
  type: T,
  actor: CountryCode,
  date: string,
  data: Record<string, unknown>,
  extra: Extra = {},
): TestInput {
  const { phase, summary, sources, ...rest } = extra;
  return {
    type,
    actor,
    date,
    summary: summary ?? `${actor} ${type} ${date}`,
    data: phase === undefined ? data : { ...data, phase },
    sources: sources ?? [SOURCE],
    ...rest,
  } as unknown as TestInput;
}

export const ruling = (
  actor: CountryCode,
  date: string,
  extra?: Extra & { court?: string; caseId?: string },
) =>
  envelope(
    'court-ruling',
    actor,
    date,
    {
      court: extra?.court ?? 'Supreme Court',
      holding: 'liable',
      ...(extra?.caseId ? { caseId: extra.caseId } : {}),
    },
    extra,
  );
export const tightened = (
  actor: CountryCode,
  date: string,
  measureId: string,
  items: string[],
  extra?: Extra,
) => envelope('export-control-tightened', actor, date, { measureId, items }, extra);
export const eased = (actor: CountryCode, date: string, measureId: string, items?: string[], extra?: Extra) =>
  envelope('export-control-eased', actor, date, items ? { measureId, items } : { measureId }, extra);
export const lifted = (
  actor: CountryCode,
  date: string,
  measureId: string,
  items?: string[],
  extra?: Extra,
) => envelope('export-control-lifted', actor, date, items ? { measureId, items } : { measureId }, extra);
export const tariffImposed = (
  actor: CountryCode,
  date: string,
  measureId: string,
  products: string[],
  rate?: string,
  extra?: Extra,
) =>
  envelope(
    'tariff-imposed',
    actor,
    date,
    rate ? { measureId, products, rate } : { measureId, products },
    extra,
  );
export const tariffLifted = (
  actor: CountryCode,
  date: string,
  measureId: string,
  products?: string[],
  extra?: Extra,
) => envelope('tariff-lifted', actor, date, products ? { measureId, products } : { measureId }, extra);
export const sanctionsImposed = (
  actor: CountryCode,
  date: string,
  measureId: string,
  targets: string[],
  kind?: string,
  extra?: Extra,
) =>
  envelope(
    'sanctions-imposed',
    actor,
    date,
    kind ? { measureId, targets, kind } : { measureId, targets },
    extra,
  );
export const sanctionsLifted = (
  actor: CountryCode,
  date: string,
  measureId: string,
  targets?: string[],
  extra?: Extra,
) => envelope('sanctions-lifted', actor, date, targets ? { measureId, targets } : { measureId }, extra);
export const listRemoved = (actor: CountryCode, date: string, extra?: Extra & { list?: string }) =>
  envelope('preferential-list-removed', actor, date, extra?.list ? { list: extra.list } : {}, extra);
export const listRestored = (actor: CountryCode, date: string, extra?: Extra & { list?: string }) =>
  envelope('preferential-list-restored', actor, date, extra?.list ? { list: extra.list } : {}, extra);
export const agreementSigned = (
  actor: CountryCode,
  date: string,
  agreementId: string,
  name: string,
  extra?: Extra,
) => envelope('agreement-signed', actor, date, { agreementId, name }, extra);
export const terminationNotified = (
  actor: CountryCode,
  date: string,
  agreementId: string,
  terminatesOn?: string,
  extra?: Extra & { name?: string },
) =>
  envelope(
    'agreement-termination-notified',
    actor,
    date,
    { agreementId, ...(terminatesOn ? { terminatesOn } : {}), ...(extra?.name ? { name: extra.name } : {}) },
    extra,
  );
export const terminationSuspended = (actor: CountryCode, date: string, agreementId: string, extra?: Extra) =>
  envelope('agreement-termination-suspended', actor, date, { agreementId }, extra);
export const agreementNormalised = (actor: CountryCode, date: string, agreementId: string, extra?: Extra) =>
  envelope('agreement-normalised', actor, date, { agreementId }, extra);
export const agreementTerminated = (actor: CountryCode, date: string, agreementId: string, extra?: Extra) =>
  envelope('agreement-terminated', actor, date, { agreementId }, extra);
export const disputeFiled = (
  actor: CountryCode,
  date: string,
  disputeId: string,
  extra?: Extra & { title?: string },
) =>
  envelope(
    'wto-dispute-filed',
    actor,
    date,
    extra?.title ? { disputeId, title: extra.title } : { disputeId },
    extra,
  );
export const stageReached = (
  actor: CountryCode,
  date: string,
  disputeId: string,
  stage: DisputeStage,
  extra?: Extra,
) => envelope('wto-dispute-stage-reached', actor, date, { disputeId, stage }, extra);
export const disputeSuspended = (actor: CountryCode, date: string, disputeId: string, extra?: Extra) =>
  envelope('wto-dispute-suspended', actor, date, { disputeId }, extra);
export const disputeResumed = (actor: CountryCode, date: string, disputeId: string, extra?: Extra) =>
  envelope('wto-dispute-resumed', actor, date, { disputeId }, extra);
export const disputeWithdrawn = (actor: CountryCode, date: string, disputeId: string, extra?: Extra) =>
  envelope('wto-dispute-withdrawn', actor, date, { disputeId }, extra);
export const talks = (
  actor: CountryCode,
  date: string,
  level: TalksLevel,
  extra?: Extra & { format?: 'in-person' | 'video' | 'phone'; forum?: string },
) =>
  envelope(
    'talks-held',
    actor,
    date,
    {
      level,
      ...(extra?.format ? { format: extra.format } : {}),
      ...(extra?.forum ? { forum: extra.forum } : {}),
    },
    extra,
  );
export const other = (actor: CountryCode, date: string, category: string, extra?: Extra) =>
  envelope('other-development', actor, date, { category }, extra);

/** A correction; `date`, `actor` and `sources` left for the service to fill unless given. */
export function corrected(
  eventId: string,
  changes: CorrectionChanges,
  extra: Extra & { date?: string } = {},
): TestInput {
  const { id, date, summary, sources, note } = extra;
  return {
    type: 'event-corrected',
    summary: summary ?? `correction of ${eventId}`,
    data: { eventId, changes, reason: 'a better source' },
    ...(id ? { id } : {}),
    ...(date ? { date } : {}),
    ...(sources ? { sources } : {}),
    ...(note ? { note } : {}),
  } as TestInput;
}

/** A retraction; `date`, `actor` and `sources` left for the service to fill unless given. */
export function retracted(eventId: string, extra: Extra & { date?: string } = {}): TestInput {
  const { id, date, summary } = extra;
  return {
    type: 'event-retracted',
    summary: summary ?? `retraction of ${eventId}`,
    data: { eventId, reason: 'the report was false' },
    ...(id ? { id } : {}),
    ...(date ? { date } : {}),
  } as TestInput;
}
