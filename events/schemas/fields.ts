/**
 * Field decorators: each composes the class-validator checks of one kind of field, in the order
 * they are checked (the first that fails is the one reported for that value), and adds exactly
 * one `@JSONSchema` fragment so the OpenAPI document states the same limits.
 */
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { Type } from 'class-transformer';
import {
  compose,
  IsCountryCode,
  IsHttpUrl,
  IsMergePatch,
  IsNotBlank,
  IsPartialDate,
  MaxChars,
  Optional,
  OptionalOrNull,
} from './constraints';

/** A schema class: decorated properties, no behaviour. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SchemaClass = new (...args: any[]) => object;

/** Whether a field may be left out (`optional`) or also set to `null` (`nullable`). */
export interface Presence {
  optional?: boolean;
  nullable?: boolean;
}

type SchemaFragment = Record<string, unknown>;

function presence(options: Presence | undefined): PropertyDecorator[] {
  if (options?.nullable) return [OptionalOrNull()];
  if (options?.optional) return [Optional()];
  return [];
}

/** `@JSONSchema` typed as a property decorator. */
function schemaOf(schema: Parameters<typeof JSONSchema>[0]): PropertyDecorator {
  const decorate = JSONSchema(schema);
  return (target, key) => decorate(target, String(key));
}

function withoutRef(schema: object): Record<string, unknown> {
  const { $ref: _derived, ...rest } = schema as Record<string, unknown>;
  return rest;
}

function describe(extra: SchemaFragment, options?: Presence): PropertyDecorator {
  // Drop the `$ref` the converters derive from a design type such as `Object` (`Record<…>`, `string | null`).
  return schemaOf((derived) => ({
    ...withoutRef(derived),
    ...extra,
    ...(options?.nullable ? { nullable: true } : {}),
  }));
}

/** Free text of 1..`max` characters with something other than white space. */
export function Text(max: number, options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsString({ message: 'must be a string' }),
    MaxChars(max),
    IsNotBlank(),
    describe({ type: 'string', minLength: 1, maxLength: max }, options),
  );
}

/** A list of 1..`maxItems` distinct texts of 1..`maxLength` characters each. */
export function TextList(maxItems: number, maxLength: number, options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsArray({ message: 'must be an array of strings' }),
    ArrayMinSize(1, { message: 'must hold at least one item (leave it out to mean all)' }),
    ArrayMaxSize(maxItems, { message: `must hold at most ${maxItems} items` }),
    ArrayUnique(undefined, { message: 'must not repeat an item' }),
    IsString({ each: true, message: 'must be a string' }),
    MaxChars(maxLength, { each: true }),
    IsNotBlank({ each: true }),
    describe(
      {
        type: 'array',
        minItems: 1,
        maxItems,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength },
      },
      options,
    ),
  );
}

/** One of a fixed set of strings. */
export function OneOf(values: readonly string[], options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsIn([...values], { message: `must be one of: ${values.join(', ')}` }),
    describe({ type: 'string', enum: [...values] }, options),
  );
}

/** A reduced-precision date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, one that exists. */
export function PartialDateField(options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsPartialDate(),
    describe(
      {
        type: 'string',
        pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$',
        description: 'A reduced-precision date: YYYY, YYYY-MM or YYYY-MM-DD; a missing part is left out.',
        example: '2019-07-04',
      },
      options,
    ),
  );
}

/** An upper-case ISO 3166-1 alpha-3 country code. */
export function CountryField(options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsCountryCode(),
    describe({ type: 'string', pattern: '^[A-Z]{3}$', example: 'JPN' }, options),
  );
}

/** A UUID (any version; lower or upper case, stored lower case). */
export function UuidField(options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsUUID('all', { message: 'must be a UUID' }),
    describe({ type: 'string', format: 'uuid' }, options),
  );
}

/** A WTO dispute number: `DS` followed by digits, without leading zeros (`DS590`). */
export function DisputeIdField(options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsString({ message: 'must be a string' }),
    Matches(/^DS[1-9]\d{0,5}$/, {
      message: 'must be a WTO dispute number: DS followed by digits, e.g. DS590',
    }),
    describe({ type: 'string', pattern: '^DS[1-9]\\d{0,5}$', example: 'DS590' }, options),
  );
}

/** An absolute `http` or `https` URL of at most `max` characters. */
export function HttpUrlField(max: number, options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsString({ message: 'must be a string' }),
    MaxChars(max),
    IsHttpUrl(),
    describe(
      { type: 'string', format: 'uri', maxLength: max, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' },
      options,
    ),
  );
}

/** A JSON object used as an RFC 7396 merge patch. */
export function MergePatchField(options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsMergePatch(),
    describe(
      {
        type: 'object',
        additionalProperties: true,
        description: "An RFC 7396 merge patch applied to the target event's data (null removes a field).",
      },
      options,
    ),
  );
}

const opaqueFields = new WeakMap<object, Set<string>>();

/** Whether a property is checked only for being an object, its content left to another schema. */
export function isOpaqueField(target: SchemaClass, property: string): boolean {
  return opaqueFields.get(target)?.has(property) ?? false;
}

/** Any JSON object; what it must hold is decided elsewhere (the envelope's `data`, by `type`). */
export function ObjectField(description: string, options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsObject({ message: 'must be a JSON object' }),
    (target, key) => {
      const fields = opaqueFields.get(target.constructor) ?? new Set<string>();
      fields.add(String(key));
      opaqueFields.set(target.constructor, fields);
    },
    describe({ type: 'object', description }, options),
  );
}

const nestedTypes = new WeakMap<object, Map<string, () => SchemaClass>>();

/** The schema class a nested property holds, as declared with {@link Nested} or {@link NestedList}. */
export function nestedTypeOf(target: SchemaClass, property: string): SchemaClass | undefined {
  return nestedTypes.get(target)?.get(property)?.();
}

function registerNested(type: () => SchemaClass): PropertyDecorator {
  return (target, key) => {
    const byProperty = nestedTypes.get(target.constructor) ?? new Map<string, () => SchemaClass>();
    byProperty.set(String(key), type);
    nestedTypes.set(target.constructor, byProperty);
  };
}

/** One nested object validated with its own schema class. */
export function Nested(type: () => SchemaClass, options?: Presence): PropertyDecorator {
  return compose(
    ...presence(options),
    IsObject({ message: 'must be a JSON object' }),
    ValidateNested(),
    Type(type),
    registerNested(type),
    schemaOf((_schema, schemaOptions) => ({ $ref: `${schemaOptions.refPointerPrefix}${type().name}` })),
  );
}

/** A list of `minItems..maxItems` nested objects, each validated with its own schema class. */
export function NestedList(
  type: () => SchemaClass,
  minItems: number,
  maxItems: number,
  options?: Presence,
): PropertyDecorator {
  return compose(
    ...presence(options),
    IsArray({ message: 'must be an array' }),
    ArrayMinSize(minItems, { message: `must hold at least ${minItems} item${minItems === 1 ? '' : 's'}` }),
    ArrayMaxSize(maxItems, { message: `must hold at most ${maxItems} items` }),
    ValidateNested({ each: true }),
    Type(type),
    registerNested(type),
    schemaOf((schema, schemaOptions) => ({
      ...schema,
      type: 'array',
      minItems,
      maxItems,
      items: { $ref: `${schemaOptions.refPointerPrefix}${type().name}` },
    })),
  );
}
