import { JSONSchema } from 'class-validator-jsonschema';
import { EVENT_TYPES, type EventType } from '../catalogue';
import { SchemaLabel } from './compile';
import { EVENT_DATA_SCHEMAS } from './data.schemas';
import { CorrectionChangesSchema } from './correction-changes.schema';
import {
  CountryField,
  NestedList,
  ObjectField,
  OneOf,
  PartialDateField,
  Text,
  UuidField,
  type SchemaClass,
} from './fields';
import { LIMITS, SourceSchema } from './source.schema';

/** Types for which the service fills `date`, `actor` and `sources` when they are left out. */
export const AMENDMENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'event-corrected',
  'event-retracted',
]);

/**
 * The event envelope a client sends (domain.md, "The event envelope"). `data` is checked with
 * the schema of `type` ({@link EVENT_DATA_SCHEMAS}); the server sets `pair`, `revision`,
 * `recordedAt`, `recordedBy`, `schemaVersion`, `prevHash` and `hash`.
 */
@JSONSchema((schema, options) => ({
  ...schema,
  additionalProperties: false,
  description:
    'One development between the two countries of the pair. date, actor and sources are required, except ' +
    'for event-corrected and event-retracted, where the service fills them when left out.',
  oneOf: EVENT_TYPES.map((type) => ({
    type: 'object',
    properties: {
      type: { type: 'string', enum: [type] },
      data: { $ref: `${options.refPointerPrefix}${EVENT_DATA_SCHEMAS[type].name}` },
    },
    required: AMENDMENT_TYPES.has(type) ? ['type', 'data'] : ['type', 'data', 'date', 'actor', 'sources'],
  })),
}))
@SchemaLabel('an event envelope')
export class EventEnvelopeSchema {
  @UuidField({ optional: true })
  id?: string;

  @OneOf(EVENT_TYPES)
  type!: EventType;

  @PartialDateField({ optional: true })
  date?: string;

  @PartialDateField({ optional: true })
  dateEnd?: string;

  @CountryField({ optional: true })
  actor?: string;

  @Text(LIMITS.summary)
  summary!: string;

  @ObjectField('The type-specific data: see the schema of each type.')
  data!: Record<string, unknown>;

  @NestedList(() => SourceSchema, LIMITS.sourcesMin, LIMITS.sourcesMax, { optional: true })
  sources?: SourceSchema[];

  @Text(LIMITS.note, { optional: true })
  note?: string;
}

/** Envelope fields that a development (any type but a correction or retraction) must carry. */
export const REQUIRED_FOR_DEVELOPMENTS = ['date', 'actor', 'sources'] as const;

/** Every schema class of the vocabulary: the envelope, its parts and each type's `data`. */
export const EVENT_SCHEMA_CLASSES: readonly SchemaClass[] = [
  EventEnvelopeSchema,
  SourceSchema,
  CorrectionChangesSchema,
  ...Object.values(EVENT_DATA_SCHEMAS),
];
