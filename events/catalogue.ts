/**
 * The event catalogue, schema version 1: the vocabulary every other layer speaks.
 * Each member of {@link RelationEvent} is a readonly `{ type, data }` pair; the envelope adds
 * when it happened (valid time), who acted and from which sources. Dates are validated strings,
 * never `Date` objects. Type names are kebab-case past tense and never change.
 */

/** A reduced-precision calendar date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
export type PartialDate = string;
/** An ISO 3166-1 alpha-3 country code, upper case. */
export type CountryCode = string;
/** Canonical pair: the two codes in alphabetical order joined by `-` (`JPN-KOR`). */
export type PairId = string;

export const SCHEMA_VERSION = 1;

/** How far along a measure, list, agreement or dispute step is; only `effective` changes state. */
export type Phase = 'announced' | 'decided' | 'effective';
export const PHASES: readonly Phase[] = ['announced', 'decided', 'effective'];

export type DisputeStage =
  'panel-requested' | 'panel-established' | 'report-circulated' | 'appealed' | 'adopted';
export const DISPUTE_STAGES: readonly DisputeStage[] = [
  'panel-requested',
  'panel-established',
  'report-circulated',
  'appealed',
  'adopted',
];
export type TalksLevel = 'leader' | 'minister' | 'vice-minister' | 'director-general' | 'working';
export const TALKS_LEVELS: readonly TalksLevel[] = [
  'leader',
  'minister',
  'vice-minister',
  'director-general',
  'working',
];
export type TalksFormat = 'in-person' | 'video' | 'phone';
export const TALKS_FORMATS: readonly TalksFormat[] = ['in-person', 'video', 'phone'];

/** The `data` of each event type. Optional fields may be absent; unknown fields are refused. */
export interface EventDataMap {
  /** A court of `actor` ruled on a matter concerning the other country. */
  'court-ruling': { court: string; holding: string; caseId?: string; defendants?: string[] };
  /** `actor` tightened export controls on items bound for the other country. */
  'export-control-tightened': { measureId: string; items: string[]; instrument?: string; phase?: Phase };
  /** `actor` eased (still controlled, lighter) some or all items of a measure. */
  'export-control-eased': { measureId: string; items?: string[]; phase?: Phase };
  /** `actor` lifted some or all items of an export-control measure. */
  'export-control-lifted': { measureId: string; items?: string[]; phase?: Phase };
  /** `actor` imposed (or re-set) a tariff on products of the other country. */
  'tariff-imposed': { measureId: string; products: string[]; rate?: string; phase?: Phase };
  /** `actor` lifted a tariff on some or all products. */
  'tariff-lifted': { measureId: string; products?: string[]; phase?: Phase };
  /** `actor` imposed sanctions on persons, firms or sectors of the other country. */
  'sanctions-imposed': { measureId: string; targets: string[]; kind?: string; phase?: Phase };
  /** `actor` lifted sanctions on some or all targets. */
  'sanctions-lifted': { measureId: string; targets?: string[]; phase?: Phase };
  /** `actor` removed the other country from its preferential trade list. */
  'preferential-list-removed': { list?: string; phase?: Phase };
  /** `actor` restored the other country to its preferential trade list. */
  'preferential-list-restored': { list?: string; phase?: Phase };
  /** The two countries signed an agreement (`actor`: the party that records or hosts it). */
  'agreement-signed': { agreementId: string; name: string };
  /** `actor` notified the termination of an agreement. */
  'agreement-termination-notified': {
    agreementId: string;
    name?: string;
    terminatesOn?: PartialDate;
    phase?: Phase;
  };
  /** `actor` suspended the effect of its termination notice. */
  'agreement-termination-suspended': { agreementId: string; phase?: Phase };
  /** `actor` withdrew a termination notice: the agreement is plainly in force again. */
  'agreement-normalised': { agreementId: string; phase?: Phase };
  /** The agreement ended (`actor`: the terminating party). */
  'agreement-terminated': { agreementId: string; phase?: Phase };
  /** `actor` (the complainant) filed a WTO dispute against the other country. */
  'wto-dispute-filed': { disputeId: string; title?: string };
  /** A WTO dispute reached a later stage (`actor`: the party that moved it, usually the complainant). */
  'wto-dispute-stage-reached': { disputeId: string; stage: DisputeStage };
  /** `actor` suspended its WTO dispute. */
  'wto-dispute-suspended': { disputeId: string; phase?: Phase };
  /** `actor` resumed its suspended WTO dispute. */
  'wto-dispute-resumed': { disputeId: string; phase?: Phase };
  /** `actor` withdrew its WTO dispute. */
  'wto-dispute-withdrawn': { disputeId: string; phase?: Phase };
  /** The two countries held talks (`actor`: the host or the side that convened them). */
  'talks-held': { level: TalksLevel; format?: TalksFormat; forum?: string; outcome?: string };
  /** Any other development worth keeping on the timeline (`actor`: the country that acted). */
  'other-development': { category: string };
  /** Corrects an earlier event of the same pair; `changes` is applied when the target is read. */
  'event-corrected': { eventId: string; changes: CorrectionChanges; reason: string };
  /** Retracts an earlier event of the same pair: projections ignore the target from then on. */
  'event-retracted': { eventId: string; reason: string };
}

/** What a correction may change. `data` is an RFC 7396 merge patch; `sources` replaces. */
export interface CorrectionChanges {
  date?: PartialDate;
  dateEnd?: PartialDate | null;
  summary?: string;
  data?: Record<string, unknown>;
  sources?: Source[];
}

export type EventType = keyof EventDataMap;

/** One member of the union per type: `{ type, data }`, readonly. */
export type RelationEvent = {
  [K in EventType]: Readonly<{ type: K; data: Readonly<EventDataMap[K]> }>;
}[EventType];

export type EventOfType<K extends EventType> = Extract<RelationEvent, { type: K }>;

/** A source of a fact: `publisher` required, `url` http(s) only, `publishedOn` a reduced-precision date. */
export interface Source {
  publisher: string;
  url?: string;
  title?: string;
  publishedOn?: PartialDate;
  quote?: string;
}

/**
 * What a client sends for one event, after validation. For `event-corrected` and
 * `event-retracted` the service fills `date`, `actor` and `sources` when omitted.
 */
export type EventInput = RelationEvent & {
  id?: string;
  date?: PartialDate;
  dateEnd?: PartialDate;
  actor?: CountryCode;
  summary: string;
  sources?: Source[];
  note?: string;
};

/** The envelope as stored, without its `hash`: exactly what the hash chain covers. */
export type StoredEnvelope = RelationEvent & {
  id: string;
  pair: PairId;
  revision: number;
  date: PartialDate;
  dateEnd?: PartialDate;
  actor: CountryCode;
  summary: string;
  sources: Source[];
  note?: string;
  /** Transaction time: when the service stored it (ISO 8601 instant, UTC, millisecond precision). */
  recordedAt: string;
  /** The authenticated principal that appended it. */
  recordedBy: string;
  schemaVersion: number;
  /** `hash` of the previous revision; 64 zeros for revision 0. */
  prevHash: string;
};

/** A recorded event: the stored envelope and its SHA-256 chain hash. Input of every projection. */
export type RecordedEvent = StoredEnvelope & { hash: string };

export const EVENT_TYPES: readonly EventType[] = [
  'court-ruling',
  'export-control-tightened',
  'export-control-eased',
  'export-control-lifted',
  'tariff-imposed',
  'tariff-lifted',
  'sanctions-imposed',
  'sanctions-lifted',
  'preferential-list-removed',
  'preferential-list-restored',
  'agreement-signed',
  'agreement-termination-notified',
  'agreement-termination-suspended',
  'agreement-normalised',
  'agreement-terminated',
  'wto-dispute-filed',
  'wto-dispute-stage-reached',
  'wto-dispute-suspended',
  'wto-dispute-resumed',
  'wto-dispute-withdrawn',
  'talks-held',
  'other-development',
  'event-corrected',
  'event-retracted',
];

export const GENESIS_HASH = '0'.repeat(64);

/** Compile-time exhaustiveness check for `switch` over event types. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
