import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { DISPUTE_STAGES, EVENT_TYPES, PHASES, TALKS_LEVELS } from '../catalogue';
import { DATA_EXAMPLES } from '../event-examples';
import { compileSchema } from './compile';
import { CorrectionChangesSchema } from './correction-changes.schema';
import { EVENT_DATA_SCHEMAS } from './data.schemas';
import { EVENT_SCHEMA_CLASSES, EventEnvelopeSchema } from './envelope.schema';
import type { SchemaClass } from './fields';
import { SourceSchema } from './source.schema';

// class-transformer publishes its storage without a typed entry point.
type TransformerStorage = typeof import('class-transformer/types/storage');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storage = require('class-transformer/cjs/storage') as TransformerStorage;
const { defaultMetadataStorage } = storage;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PREFIX = '#/components/schemas/';

describe('the OpenAPI schemas generated from the classes (class-validator-jsonschema)', () => {
  const schemas: Record<string, Json> = validationMetadatasToSchemas({
    refPointerPrefix: PREFIX,
    classTransformerMetadataStorage: defaultMetadataStorage,
  });
  const schemaOf = (target: SchemaClass): Json => schemas[target.name]!;

  it('has one closed object schema per class of the vocabulary', () => {
    for (const target of EVENT_SCHEMA_CLASSES) {
      expect(schemaOf(target)).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });

  it.each(EVENT_TYPES.map((type) => [type]))(
    'documents the fields of %s data, the required ones required',
    (type) => {
      const schema = schemaOf(EVENT_DATA_SCHEMAS[type]);
      expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(DATA_EXAMPLES[type].full).sort());
      expect((schema.required ?? []).sort()).toEqual(Object.keys(DATA_EXAMPLES[type].minimal).sort());
    },
  );

  it('states the limits and enumerations that parseEvent applies', () => {
    const tightened = schemaOf(EVENT_DATA_SCHEMAS['export-control-tightened']);
    expect(tightened.properties.items).toEqual({
      type: 'array',
      minItems: 1,
      maxItems: 200,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 300 },
    });
    expect(tightened.properties.phase).toMatchObject({ type: 'string', enum: PHASES });
    expect(schemaOf(EVENT_DATA_SCHEMAS['talks-held']).properties.level).toMatchObject({ enum: TALKS_LEVELS });
    expect(schemaOf(EVENT_DATA_SCHEMAS['wto-dispute-stage-reached']).properties).toMatchObject({
      disputeId: { type: 'string', pattern: '^DS[1-9]\\d{0,5}$' },
      stage: { enum: DISPUTE_STAGES },
    });
    expect(schemaOf(EventEnvelopeSchema).properties.summary).toMatchObject({ minLength: 1, maxLength: 500 });
  });

  it('documents a source: publisher required, url http(s), publishedOn a reduced-precision date', () => {
    const source = schemaOf(SourceSchema);
    expect(source.required).toEqual(['publisher']);
    expect(source.properties.url).toMatchObject({ type: 'string', format: 'uri', maxLength: 2000 });
    expect(new RegExp(source.properties.url.pattern).test('javascript:alert(1)')).toBe(false);
    expect(new RegExp(source.properties.publishedOn.pattern).test('2019-07')).toBe(true);
  });

  it('documents the envelope: sources by reference, data by type, only type, summary and data always required', () => {
    const envelope = schemaOf(EventEnvelopeSchema);
    expect(envelope.required.sort()).toEqual(['data', 'summary', 'type']);
    expect(envelope.properties.sources).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: { $ref: `${PREFIX}SourceSchema` },
    });
    expect(envelope.properties.type.enum).toEqual(EVENT_TYPES);
    expect(envelope.oneOf).toHaveLength(EVENT_TYPES.length);
    const talks = envelope.oneOf.find((variant: Json) => variant.properties.type.enum[0] === 'talks-held');
    expect(talks).toMatchObject({
      properties: { data: { $ref: `${PREFIX}TalksHeldDataSchema` } },
      required: ['type', 'data', 'date', 'actor', 'sources'],
    });
    const retraction = envelope.oneOf.find(
      (variant: Json) => variant.properties.type.enum[0] === 'event-retracted',
    );
    expect(retraction.required).toEqual(['type', 'data']);
  });

  it('documents the changes of a correction: nothing required, at least one, dateEnd nullable', () => {
    const changes = schemaOf(CorrectionChangesSchema);
    expect(changes.required).toBeUndefined();
    expect(changes.minProperties).toBe(1);
    expect(changes.properties.dateEnd).toMatchObject({ nullable: true });
    expect(schemaOf(EVENT_DATA_SCHEMAS['event-corrected']).properties.changes).toEqual({
      $ref: `${PREFIX}CorrectionChangesSchema`,
    });
  });

  it('resolves every reference it makes', () => {
    const refs = JSON.stringify(schemas).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(EVENT_TYPES.length);
    for (const ref of refs) {
      const name = ref.slice(`"$ref":"${PREFIX}`.length, -1);
      expect([name, schemas[name] !== undefined]).toEqual([name, true]);
    }
  });

  it('gives the same references without class-transformer metadata', () => {
    const plain: Record<string, Json> = validationMetadatasToSchemas({ refPointerPrefix: PREFIX });
    expect(plain[EventEnvelopeSchema.name]!.properties.sources.items).toEqual({
      $ref: `${PREFIX}SourceSchema`,
    });
  });
});

describe('one rule set: class-validator itself agrees with the compiled validator', () => {
  const classValidatorProblems = (target: SchemaClass, value: object): string[] =>
    validateSync(plainToInstance(target, value), { whitelist: true, forbidNonWhitelisted: true }).map(
      (error) => error.property,
    );

  const compiledProblems = (target: SchemaClass, value: object): string[] => {
    const sink = {
      problems: [] as Array<{ path: string }>,
      add: (path: string) => sink.problems.push({ path }),
    };
    compileSchema(target).validate(value, '', sink as never);
    return [...new Set(sink.problems.map((problem) => problem.path.split(/[.[]/)[0]!))];
  };

  it.each(EVENT_TYPES.map((type) => [type]))(
    'on the examples of %s, valid and with each required field missing',
    (type) => {
      const target = EVENT_DATA_SCHEMAS[type];
      const { minimal, full } = DATA_EXAMPLES[type];
      expect(classValidatorProblems(target, full)).toEqual([]);
      expect(compiledProblems(target, full)).toEqual([]);
      for (const field of Object.keys(minimal)) {
        const missing: Record<string, unknown> = { ...minimal };
        delete missing[field];
        expect(classValidatorProblems(target, missing)).toEqual([field]);
        expect(compiledProblems(target, missing)).toEqual([field]);
      }
    },
  );

  it.each([
    ['a url of another scheme', { publisher: 'METI', url: 'javascript:alert(1)' }, ['url']],
    ['a date that does not exist', { publisher: 'METI', publishedOn: '2019-02-30' }, ['publishedOn']],
    ['a blank publisher and an unknown field', { publisher: ' ', colour: 'red' }, ['publisher', 'colour']],
  ])('on a source with %s', (_what, source, fields) => {
    expect(classValidatorProblems(SourceSchema, source).sort()).toEqual([...fields].sort());
    expect(compiledProblems(SourceSchema, source).sort()).toEqual([...fields].sort());
  });
});
