import { JSONSchema } from 'class-validator-jsonschema';
import { SchemaLabel } from './compile';
import { HttpUrlField, PartialDateField, Text } from './fields';

/** Length limits of free text, shared by every schema so the API documents one set of numbers. */
export const LIMITS = {
  summary: 500,
  note: 4000,
  id: 200,
  name: 500,
  shortText: 300,
  title: 1000,
  longText: 4000,
  url: 2000,
  listItems: 200,
  sourcesMin: 1,
  sourcesMax: 20,
} as const;

/** Where a fact comes from: `publisher` required, `url` http(s) only, `publishedOn` a reduced-precision date. */
@JSONSchema({ additionalProperties: false, description: 'A source of the recorded fact.' })
@SchemaLabel('a source')
export class SourceSchema {
  @Text(LIMITS.shortText)
  publisher!: string;

  @HttpUrlField(LIMITS.url, { optional: true })
  url?: string;

  @Text(LIMITS.title, { optional: true })
  title?: string;

  @PartialDateField({ optional: true })
  publishedOn?: string;

  @Text(LIMITS.longText, { optional: true })
  quote?: string;
}
