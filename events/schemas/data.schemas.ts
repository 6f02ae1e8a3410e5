/**
 * One class-validator schema per event type's `data`, exactly the fields of the catalogue
 * (domain.md, `EventDataMap`). Unknown fields are refused by the validator that reads these.
 */
import { JSONSchema } from 'class-validator-jsonschema';
import {
  DISPUTE_STAGES,
  PHASES,
  TALKS_FORMATS,
  TALKS_LEVELS,
  type DisputeStage,
  type EventDataMap,
  type EventType,
  type Phase,
  type TalksFormat,
  type TalksLevel,
} from '../catalogue';
import { SchemaLabel } from './compile';
import { CorrectionChangesSchema } from './correction-changes.schema';
import {
  DisputeIdField,
  Nested,
  OneOf,
  PartialDateField,
  Text,
  TextList,
  UuidField,
  type SchemaClass,
} from './fields';
import { LIMITS } from './source.schema';

/** Refuses unknown fields (documented as `additionalProperties: false`) and names the type in problems. */
function closed(description: string): ClassDecorator {
  const documented = JSONSchema({ additionalProperties: false, description });
  const labelled = SchemaLabel(`${description.slice(0, description.indexOf(':'))} data`);
  return (target) => {
    documented(target);
    labelled(target);
  };
}
const PhaseField = () => OneOf(PHASES, { optional: true });

@closed('court-ruling: a court of `actor` ruled on a matter concerning the other country.')
export class CourtRulingDataSchema {
  @Text(LIMITS.shortText) court!: string;
  @Text(LIMITS.longText) holding!: string;
  @Text(LIMITS.id, { optional: true }) caseId?: string;
  @TextList(LIMITS.listItems, LIMITS.shortText, { optional: true }) defendants?: string[];
}

@closed('export-control-tightened: `actor` tightened export controls on items bound for the other country.')
export class ExportControlTightenedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText) items!: string[];
  @Text(LIMITS.title, { optional: true }) instrument?: string;
  @PhaseField() phase?: Phase;
}

@closed('export-control-eased: `actor` eased some or all items of a measure (absent items = all).')
export class ExportControlEasedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText, { optional: true }) items?: string[];
  @PhaseField() phase?: Phase;
}

@closed('export-control-lifted: `actor` lifted some or all items of a measure (absent items = all).')
export class ExportControlLiftedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText, { optional: true }) items?: string[];
  @PhaseField() phase?: Phase;
}

@closed('tariff-imposed: `actor` imposed (or re-set) a tariff on products of the other country.')
export class TariffImposedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText) products!: string[];
  @Text(100, { optional: true }) rate?: string;
  @PhaseField() phase?: Phase;
}

@closed('tariff-lifted: `actor` lifted a tariff on some or all products (absent products = all).')
export class TariffLiftedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText, { optional: true }) products?: string[];
  @PhaseField() phase?: Phase;
}

@closed('sanctions-imposed: `actor` imposed sanctions on persons, firms or sectors of the other country.')
export class SanctionsImposedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText) targets!: string[];
  @Text(LIMITS.id, { optional: true }) kind?: string;
  @PhaseField() phase?: Phase;
}

@closed('sanctions-lifted: `actor` lifted sanctions on some or all targets (absent targets = all).')
export class SanctionsLiftedDataSchema {
  @Text(LIMITS.id) measureId!: string;
  @TextList(LIMITS.listItems, LIMITS.shortText, { optional: true }) targets?: string[];
  @PhaseField() phase?: Phase;
}

@closed('preferential-list-removed: `actor` removed the other country from its preferential trade list.')
export class PreferentialListRemovedDataSchema {
  @Text(LIMITS.shortText, { optional: true }) list?: string;
  @PhaseField() phase?: Phase;
}

@closed('preferential-list-restored: `actor` restored the other country to its preferential trade list.')
export class PreferentialListRestoredDataSchema {
  @Text(LIMITS.shortText, { optional: true }) list?: string;
  @PhaseField() phase?: Phase;
}

@closed('agreement-signed: the two countries signed an agreement.')
export class AgreementSignedDataSchema {
  @Text(LIMITS.id) agreementId!: string;
  @Text(LIMITS.name) name!: string;
}

@closed('agreement-termination-notified: `actor` notified the termination of an agreement.')
export class AgreementTerminationNotifiedDataSchema {
  @Text(LIMITS.id) agreementId!: string;
  @Text(LIMITS.name, { optional: true }) name?: string;
  @PartialDateField({ optional: true }) terminatesOn?: string;
  @PhaseField() phase?: Phase;
}

@closed('agreement-termination-suspended: `actor` suspended the effect of its termination notice.')
export class AgreementTerminationSuspendedDataSchema {
  @Text(LIMITS.id) agreementId!: string;
  @PhaseField() phase?: Phase;
}

@closed('agreement-normalised: `actor` withdrew a termination notice; the agreement is in force again.')
export class AgreementNormalisedDataSchema {
  @Text(LIMITS.id) agreementId!: string;
  @PhaseField() phase?: Phase;
}

@closed('agreement-terminated: the agreement ended (`actor`: the terminating party).')
export class AgreementTerminatedDataSchema {
  @Text(LIMITS.id) agreementId!: string;
  @PhaseField() phase?: Phase;
}

@closed('wto-dispute-filed: `actor` (the complainant) filed a WTO dispute against the other country.')
export class WtoDisputeFiledDataSchema {
  @DisputeIdField() disputeId!: string;
  @Text(LIMITS.title, { optional: true }) title?: string;
}

@closed('wto-dispute-stage-reached: a WTO dispute reached a later stage.')
export class WtoDisputeStageReachedDataSchema {
  @DisputeIdField() disputeId!: string;
  @OneOf(DISPUTE_STAGES) stage!: DisputeStage;
}

@closed('wto-dispute-suspended: `actor` suspended its WTO dispute.')
export class WtoDisputeSuspendedDataSchema {
  @DisputeIdField() disputeId!: string;
  @PhaseField() phase?: Phase;
}

@closed('wto-dispute-resumed: `actor` resumed its suspended WTO dispute.')
export class WtoDisputeResumedDataSchema {
  @DisputeIdField() disputeId!: string;
  @PhaseField() phase?: Phase;
}

@closed('wto-dispute-withdrawn: `actor` withdrew its WTO dispute.')
export class WtoDisputeWithdrawnDataSchema {
  @DisputeIdField() disputeId!: string;
  @PhaseField() phase?: Phase;
}

@closed('talks-held: the two countries held talks (`actor`: the host or the side that convened them).')
export class TalksHeldDataSchema {
  @OneOf(TALKS_LEVELS) level!: TalksLevel;
  @OneOf(TALKS_FORMATS, { optional: true }) format?: TalksFormat;
  @Text(LIMITS.name, { optional: true }) forum?: string;
  @Text(LIMITS.longText, { optional: true }) outcome?: string;
}

@closed('other-development: any other development worth keeping on the timeline.')
export class OtherDevelopmentDataSchema {
  @Text(LIMITS.id) category!: string;
}

@closed('event-corrected: corrects an earlier event of the same pair; `changes` apply when it is read.')
export class EventCorrectedDataSchema {
  @UuidField() eventId!: string;
  @Nested(() => CorrectionChangesSchema) changes!: CorrectionChangesSchema;
  @Text(LIMITS.longText) reason!: string;
}

@closed('event-retracted: retracts an earlier event of the same pair; projections ignore it from then on.')
export class EventRetractedDataSchema {
  @UuidField() eventId!: string;
  @Text(LIMITS.longText) reason!: string;
}

/**
 * The `data` schema class of every event type. Typed against `EventDataMap` so that a type added
 * to the catalogue without a schema (or a schema field the catalogue lacks) fails to compile.
 */
export const EVENT_DATA_SCHEMAS = {
  'court-ruling': CourtRulingDataSchema,
  'export-control-tightened': ExportControlTightenedDataSchema,
  'export-control-eased': ExportControlEasedDataSchema,
  'export-control-lifted': ExportControlLiftedDataSchema,
  'tariff-imposed': TariffImposedDataSchema,
  'tariff-lifted': TariffLiftedDataSchema,
  'sanctions-imposed': SanctionsImposedDataSchema,
  'sanctions-lifted': SanctionsLiftedDataSchema,
  'preferential-list-removed': PreferentialListRemovedDataSchema,
  'preferential-list-restored': PreferentialListRestoredDataSchema,
  'agreement-signed': AgreementSignedDataSchema,
  'agreement-termination-notified': AgreementTerminationNotifiedDataSchema,
  'agreement-termination-suspended': AgreementTerminationSuspendedDataSchema,
  'agreement-normalised': AgreementNormalisedDataSchema,
  'agreement-terminated': AgreementTerminatedDataSchema,
  'wto-dispute-filed': WtoDisputeFiledDataSchema,
  'wto-dispute-stage-reached': WtoDisputeStageReachedDataSchema,
  'wto-dispute-suspended': WtoDisputeSuspendedDataSchema,
  'wto-dispute-resumed': WtoDisputeResumedDataSchema,
  'wto-dispute-withdrawn': WtoDisputeWithdrawnDataSchema,
  'talks-held': TalksHeldDataSchema,
  'other-development': OtherDevelopmentDataSchema,
  'event-corrected': EventCorrectedDataSchema,
  'event-retracted': EventRetractedDataSchema,
} as const satisfies { readonly [K in EventType]: new () => EventDataMap[K] };

type Schemas = typeof EVENT_DATA_SCHEMAS;
/** Types whose schema class and catalogue entry differ in a field or in which fields are required. */
type Mismatched = {
  [K in EventType]: [InstanceType<Schemas[K]>] extends [EventDataMap[K]]
    ? [EventDataMap[K]] extends [InstanceType<Schemas[K]>]
      ? keyof InstanceType<Schemas[K]> extends keyof EventDataMap[K]
        ? never
        : K
      : K
    : K;
}[EventType];
// Fails to compile, naming the type, when a schema and the catalogue drift apart.
const schemasMatchCatalogue: [Mismatched] extends [never] ? true : Mismatched = true;
void schemasMatchCatalogue;

/** Every data schema class, in catalogue order. */
export const EVENT_DATA_SCHEMA_CLASSES: readonly SchemaClass[] = Object.values(EVENT_DATA_SCHEMAS);
