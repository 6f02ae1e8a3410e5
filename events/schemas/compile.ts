/**
 * Turns a class-validator schema class into a plain validating function, once. class-validator's
 * own `validateSync` re-reads its metadata, builds class instances and error trees on every call;
 * the bulk importer validates tens of thousands of events a second, so the rules are read from the
 * same metadata at start-up and then run directly. The checks themselves are class-validator's
 * (the very constraint objects its decorators registered), so there is still one rule set.
 */
import {
  getFromContainer,
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { indexPath, pathOf, type ProblemSink } from '../validation';
import { isPlainObject, PROTOTYPE_KEYS } from './constraints';
import { isOpaqueField, nestedTypeOf, type SchemaClass } from './fields';

/** A schema ready to run: validates one object and returns a clean plain copy of it. */
export interface CompiledSchema {
  readonly target: SchemaClass;
  /** The fields this schema knows; every other field is refused. */
  readonly fields: readonly string[];
  /**
   * Adds every problem of `value` (at `path`) to `sink` and returns a copy holding only known,
   * present fields, or `undefined` when `value` is not a JSON object at all. Fields named in
   * `ignored` are neither refused nor copied.
   */
  validate(
    value: unknown,
    path: string,
    sink: ProblemSink,
    ignored?: ReadonlySet<string>,
  ): Record<string, unknown> | undefined;
}

interface Check {
  each: boolean;
  passes(value: unknown, object: object, property: string): boolean;
  message(value: unknown, object: object, property: string): string;
}

interface FieldRule {
  name: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  whole: Check[];
  each: Check[];
  nested?: { each: boolean; schema: () => CompiledSchema };
  /** Handed back as is: its content is validated (and copied) by the schema its owner picks. */
  opaque: boolean;
}

const refusedFieldNotes = new WeakMap<object, Readonly<Record<string, string>>>();

/** Class decorator: the message given when one of these (unknown) fields is sent. */
export function RefusedFields(notes: Readonly<Record<string, string>>): ClassDecorator {
  return (target) => {
    refusedFieldNotes.set(target, notes);
  };
}

const labels = new WeakMap<object, string>();

/** Class decorator: how problems name objects of this schema (`talks-held data`). */
export function SchemaLabel(label: string): ClassDecorator {
  return (target) => {
    labels.set(target, label);
  };
}

const compiled = new Map<SchemaClass, CompiledSchema>();

/** The compiled form of a schema class (compiled on first use, then cached). */
export function compileSchema(target: SchemaClass): CompiledSchema {
  let schema = compiled.get(target);
  if (!schema) {
    schema = build(target);
    compiled.set(target, schema);
  }
  return schema;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function build(target: SchemaClass): CompiledSchema {
  const rules = new Map<string, FieldRule>();
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  for (const meta of metadatas) {
    const name = meta.propertyName;
    let rule = rules.get(name);
    if (!rule) {
      rule = { name, conditions: [], whole: [], each: [], opaque: isOpaqueField(target, name) };
      rules.set(name, rule);
    }
    switch (meta.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        rule.conditions.push(meta.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.NESTED_VALIDATION: {
        const type = nestedTypeOf(target, name);
        if (!type) throw new Error(`${target.name}.${name}: nested schema declared without its class`);
        rule.nested = { each: meta.each ?? false, schema: () => compileSchema(type) };
        break;
      }
      case ValidationTypes.IS_DEFINED:
      case ValidationTypes.WHITELIST:
        break;
      case ValidationTypes.PROMISE_VALIDATION:
        throw new Error(`${target.name}.${name}: asynchronous validation is not supported`);
      default: {
        if (!meta.constraintCls) throw new Error(`${target.name}.${name}: unsupported rule ${meta.type}`);
        const constraint = getFromContainer(meta.constraintCls) as ValidatorConstraintInterface;
        const check = checkOf(target, meta.constraints ?? [], constraint, meta.message, meta.each ?? false);
        (check.each ? rule.each : rule.whole).push(check);
      }
    }
  }
  const fieldRules = [...rules.values()];
  const fields = fieldRules.map((rule) => rule.name);
  const known = new Set(fields);
  const notes = refusedFieldNotes.get(target) ?? {};
  const unknownField = `is not a field of ${labels.get(target) ?? target.name}; its fields are ${fields.join(', ')}`;

  function validate(
    value: unknown,
    path: string,
    sink: ProblemSink,
    ignored?: ReadonlySet<string>,
  ): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      sink.add(path, 'must be a JSON object');
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (known.has(key) || ignored?.has(key)) continue;
      const note = hasOwn(notes, key) ? notes[key] : undefined;
      sink.add(
        pathOf(path, key),
        note ?? (PROTOTYPE_KEYS.has(key) ? 'is not allowed: prototype keys are refused' : unknownField),
      );
    }
    for (const rule of fieldRules) {
      const present = hasOwn(value, rule.name);
      const field = present ? value[rule.name] : undefined;
      let skip = false;
      for (const condition of rule.conditions) {
        if (!condition(value, field)) {
          skip = true;
          break;
        }
      }
      if (skip) {
        // A condition that lets `null` through (a correction's `dateEnd: null`) keeps it: it means "remove".
        if (field === null) out[rule.name] = null;
        continue;
      }
      if (field === undefined) {
        sink.add(pathOf(path, rule.name), 'is required');
        continue;
      }
      const cleaned = validateField(rule, value, field, path, sink);
      if (cleaned !== undefined) out[rule.name] = cleaned;
    }
    return out;
  }

  return { target, fields, validate };
}

/** Checks one present field of `object` (at `parent`); its own path is built only when needed. */
function validateField(
  rule: FieldRule,
  object: object,
  field: unknown,
  parent: string,
  sink: ProblemSink,
): unknown {
  for (const check of rule.whole) {
    if (!check.passes(field, object, rule.name)) {
      sink.add(pathOf(parent, rule.name), check.message(field, object, rule.name));
      return undefined;
    }
  }
  if (rule.each.length > 0 && Array.isArray(field)) {
    let ok = true;
    for (let i = 0; i < field.length; i++) {
      const item: unknown = field[i];
      for (const check of rule.each) {
        if (!check.passes(item, object, rule.name)) {
          sink.add(indexPath(pathOf(parent, rule.name), i), check.message(item, object, rule.name));
          ok = false;
          break;
        }
      }
    }
    if (!ok) return undefined;
  }
  if (rule.nested) {
    const schema = rule.nested.schema();
    const path = pathOf(parent, rule.name);
    if (rule.nested.each) {
      if (!Array.isArray(field)) return undefined;
      return field.map((item: unknown, i) => schema.validate(item, indexPath(path, i), sink));
    }
    return schema.validate(field, path, sink);
  }
  return rule.opaque ? field : copyJson(field);
}

/** A deep copy of a JSON value already checked: arrays and plain objects are rebuilt. */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && !PROTOTYPE_KEYS.has(key)) out[key] = copyJson(item);
  }
  return out;
}

function checkOf(
  target: SchemaClass,
  constraints: unknown[],
  constraint: ValidatorConstraintInterface,
  message: string | ((args: ValidationArguments) => string) | undefined,
  each: boolean,
): Check {
  // One arguments object per check, refilled on each call: validation is synchronous and no
  // constraint keeps it, so the hot path allocates nothing here.
  const context: ValidationArguments = {
    value: undefined,
    constraints,
    targetName: target.name,
    object: {},
    property: '',
  };
  const args = (value: unknown, object: object, property: string): ValidationArguments => {
    context.value = value;
    context.object = object;
    context.property = property;
    return context;
  };
  const staticMessage = typeof message === 'string' && !message.includes('$') ? message : undefined;
  return {
    each,
    passes: (value, object, property) => constraint.validate(value, args(value, object, property)) === true,
    message: (value, object, property) => {
      if (staticMessage !== undefined) return staticMessage;
      const filled = args(value, object, property);
      const template =
        typeof message === 'function'
          ? message(filled)
          : (message ?? constraint.defaultMessage?.(filled) ?? 'is not valid');
      return formatMessage(template, filled);
    },
  };
}

/** class-validator's message tokens, with the property name left to the path and no value echoed. */
function formatMessage(template: string, args: ValidationArguments): string {
  let text = template.replace(/^(each value in )?\$property /, '');
  args.constraints.forEach((constraint, i) => {
    const shown = Array.isArray(constraint) ? constraint.join(', ') : String(constraint);
    text = text.split(`$constraint${i + 1}`).join(shown);
  });
  return text
    .split('$property')
    .join(args.property)
    .split('$value')
    .join('the value')
    .split('$target')
    .join(args.targetName);
}
