/**
 * The relation state as of a date (domain.md, "State as of a date"). Plain JSON throughout, so a
 * state can be cached, cloned with `structuredClone` and sent as it is. Fields may be added, never
 * renamed.
 */
import type {
  CountryCode,
  DisputeStage,
  EventType,
  PairId,
  PartialDate,
  Phase,
  TalksFormat,
  TalksLevel,
} from '../events/catalogue';
import type { Warning } from './warnings';

/** An export-controlled item: `restricted`, or `eased` (still controlled, lighter). */
export interface ExportControlItem {
  name: string;
  level: 'restricted' | 'eased';
  /** Date of the event that brought the current level about. */
  since: PartialDate;
}

/** An export-control measure applied by one country to the other. */
export interface ExportControlMeasure {
  measureId: string;
  /** Date of the event that created the measure. */
  since: PartialDate;
  items: ExportControlItem[];
  /** Every applied event about this measure, in fold order. */
  eventIds: string[];
  instrument?: string;
}

/** A tariff applied by one country on products of the other. */
export interface TariffMeasure {
  measureId: string;
  products: string[];
  /** As recorded (e.g. `"25%"`), `null` when never stated. */
  rate: string | null;
  since: PartialDate;
  eventIds: string[];
}

/** Sanctions applied by one country on persons, firms or sectors of the other. */
export interface SanctionsMeasure {
  measureId: string;
  targets: string[];
  /** As recorded, `null` when never stated. */
  kind: string | null;
  since: PartialDate;
  eventIds: string[];
}

/** Whether the other country is on this country's preferential trade list. */
export type PreferentialListStatus =
  { status: 'unknown' } | { status: 'removed' | 'listed'; list: string; since: PartialDate; eventId: string };

/** What one country applies to the other. */
export interface CountryMeasures {
  exportControls: ExportControlMeasure[];
  tariffs: TariffMeasure[];
  sanctions: SanctionsMeasure[];
  preferentialList: PreferentialListStatus;
}

export type AgreementStatus = 'in-force' | 'termination-notified' | 'termination-suspended' | 'terminated';

/** A bilateral agreement. */
export interface Agreement {
  agreementId: string;
  name: string;
  status: AgreementStatus;
  /** Date of the event that brought the current status about. */
  since: PartialDate;
  /** The notified termination date, kept while the status is `termination-notified`. */
  terminatesOn?: PartialDate;
  /** The event that brought the current status about. */
  eventId: string;
  eventIds: string[];
}

export type DisputeStageState = 'consultations' | DisputeStage | 'withdrawn';

/** A WTO dispute between the two countries. */
export interface Dispute {
  disputeId: string;
  forum: 'WTO';
  title?: string;
  complainant: CountryCode;
  respondent: CountryCode;
  stage: DisputeStageState;
  suspended: boolean;
  /** Date of the event that brought the current stage about. */
  since: PartialDate;
  /** Date of the suspension, present while `suspended`. */
  suspendedSince?: PartialDate;
  eventIds: string[];
}

/** A court ruling of `country`'s courts concerning the other country. */
export interface Ruling {
  date: PartialDate;
  country: CountryCode;
  court: string;
  holding: string;
  caseId?: string;
  eventId: string;
}

/** The latest talks in valid-time order. */
export interface LastTalks {
  date: PartialDate;
  level: TalksLevel;
  format?: TalksFormat;
  forum?: string;
  outcome?: string;
  host: CountryCode;
  eventId: string;
}

/** Talks held so far. */
export interface Talks {
  count: number;
  last: LastTalks | null;
}

/** An event listed rather than applied: `pending` (announced/decided) or `uncertain` (not yet over by `asOf`). */
export interface ListedEvent {
  eventId: string;
  type: EventType;
  date: PartialDate;
  dateEnd?: PartialDate;
  phase?: Phase;
  summary: string;
  actor: CountryCode;
  /** The `measureId`, `list`, `agreementId` or `disputeId` the event is about, when it has one. */
  subject?: string;
}

/** The tension index (version 1): a transparent score of standing restrictions. */
export interface TensionIndex {
  version: 1;
  value: number;
  /** By imposing country (export controls, tariffs, sanctions, list) and `bilateral` (agreements, disputes, rulings). */
  components: Record<string, number>;
}

/** The state of a pair's relation as of `asOf`, as known at `knownAt`. */
export interface RelationState {
  pair: PairId;
  /** Valid time of the question, `YYYY-MM-DD`. */
  asOf: string;
  /** Transaction time of the question: events recorded after it are not taken into account. */
  knownAt: string;
  /** The last stream revision taken into account (-1 when none). */
  revision: number;
  /** Keyed by country code; always both countries of the pair. */
  measures: Record<CountryCode, CountryMeasures>;
  agreements: Agreement[];
  disputes: Dispute[];
  rulings: Ruling[];
  talks: Talks;
  index: TensionIndex;
  /** Announced or decided steps, certain by `asOf`, not yet followed by an effective one. */
  pending: ListedEvent[];
  /** Events under way on `asOf` (started, not ended): listed, not applied. */
  uncertain: ListedEvent[];
  warnings: Warning[];
}
