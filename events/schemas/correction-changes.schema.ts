import { JSONSchema } from 'class-validator-jsonschema';
import { RefusedFields, SchemaLabel } from './compile';
import { MergePatchField, NestedList, PartialDateField, Text } from './fields';
import { LIMITS, SourceSchema } from './source.schema';

/** The fields an `event-corrected` may change, at least one of them. */
export const CORRECTABLE_FIELDS = ['date', 'dateEnd', 'summary', 'data', 'sources'] as const;

/** Fields no correction may touch: the event must be retracted and recorded anew instead. */
export const UNCORRECTABLE_FIELDS = ['type', 'actor', 'pair'] as const;

/**
 * What an `event-corrected` changes in its target: `data` is an RFC 7396 merge patch, `sources`
 * replaces the target's list, `dateEnd: null` removes the end date.
 */
@JSONSchema({
  additionalProperties: false,
  minProperties: 1,
  description:
    'At least one of date, dateEnd, summary, data, sources. type, actor and pair can never be corrected: ' +
    'retract the event and record it anew.',
})
@RefusedFields(
  Object.fromEntries(
    UNCORRECTABLE_FIELDS.map((field) => [
      field,
      `${field} can never be corrected: retract the event and record it anew`,
    ]),
  ),
)
@SchemaLabel('changes')
export class CorrectionChangesSchema {
  @PartialDateField({ optional: true })
  date?: string;

  @PartialDateField({ nullable: true })
  dateEnd?: string | null;

  @Text(LIMITS.summary, { optional: true })
  summary?: string;

  @MergePatchField({ optional: true })
  data?: Record<string, unknown>;

  @NestedList(() => SourceSchema, LIMITS.sourcesMin, LIMITS.sourcesMax, { optional: true })
  sources?: SourceSchema[];
}
