/**
 * The project's own class-validator constraints. Each is a plain `ValidateBy` decorator, so the
 * same rule serves `parseEvent` (through the compiled validator) and class-validator itself; the
 * field decorators in `fields.ts` add the matching JSON Schema fragment.
 */
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isCountryCode } from '../countries';
import { partialDateProblem } from '../dates';

/** Keys that could reach an object's prototype when a value is merged or copied. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Applies several property decorators in the order given (first listed, first checked). */
export function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };
}

/**
 * Marks a property optional: absent (`undefined`) skips every check, but `null` is still checked
 * and refused, unlike class-validator's `@IsOptional()`: a stored event never carries `null`
 * where a value is optional, so the hash of an event does not depend on how absence was spelled.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** Absent or `null` both skip every check (a correction's `dateEnd: null` removes the end). */
export function OptionalOrNull(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined && value !== null);
}

/** A reduced-precision calendar date that exists: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
export function IsPartialDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPartialDate',
      validator: {
        validate: (value: unknown) => partialDateProblem(value) === undefined,
        defaultMessage: (args) => partialDateProblem(args?.value) ?? 'must be a date',
      },
    },
    options,
  );
}

/** An upper-case ISO 3166-1 alpha-3 code that exists (`KOR`, never `kor` or `XXX`). */
export function IsCountryCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCountryCode',
      validator: {
        validate: (value: unknown) => isCountryCode(value),
        defaultMessage: () => 'must be an upper-case ISO 3166-1 alpha-3 country code, e.g. KOR',
      },
    },
    options,
  );
}

// A common shape every WHATWG parser accepts: a scheme, dotted ASCII labels whose last one starts
// with a letter (so it is never read as an IPv4 number), no port, any path without white space.
const PLAIN_HTTP_URL = /^https?:\/\/(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(?:[/?#][^\s]*)?$/i;

/** Whether `value` is an absolute `http:` or `https:` URL with a host. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value)) return false;
  // Parsing a URL costs more than the rest of an event's checks; the plain shape needs none.
  if (PLAIN_HTTP_URL.test(value)) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** An absolute URL whose scheme is `http` or `https` (no `javascript:`, `ftp:`, `data:`…). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: isHttpUrl,
        defaultMessage: () => 'must be an absolute http or https URL',
      },
    },
    options,
  );
}

/** The length of a string in Unicode code points (what JSON Schema's `maxLength` counts). */
export function codePointLength(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length;
}

/**
 * A string of at most `max` code points. Registered under class-validator's own name
 * (`maxLength`), so schema generators read it as such; unlike class-validator's it does not scan
 * the string with regular expressions when its UTF-16 length already proves it short enough.
 */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxLength',
      constraints: [max],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (value.length <= max || codePointLength(value) <= max),
        defaultMessage: () => `must be at most ${max} characters long`,
      },
    },
    options,
  );
}

/** A string with at least one character that is not white space. */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /\S/.test(value),
        defaultMessage: () => 'must not be blank',
      },
    },
    options,
  );
}

/** Limits of a merge patch (`event-corrected`'s `changes.data`): loose shape, bounded size. */
export const MERGE_PATCH_LIMITS = { depth: 8, nodes: 1000, stringLength: 4000, keyLength: 100 } as const;

/**
 * Why `value` is not an acceptable RFC 7396 merge patch for an event's `data`, or `undefined`.
 * The target is not known here, so only the shape is checked: a JSON object, JSON values only,
 * no prototype keys at any depth, bounded depth and size. The type's own schema checks the result
 * once the patch is applied to its target.
 */
export function mergePatchProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'must be a JSON object (an RFC 7396 merge patch of the data)';
  let nodes = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > MERGE_PATCH_LIMITS.nodes) return `must hold at most ${MERGE_PATCH_LIMITS.nodes} values`;
    if (node === null || typeof node === 'boolean') continue;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return 'must hold only JSON values (finite numbers)';
      continue;
    }
    if (typeof node === 'string') {
      if (node.length > MERGE_PATCH_LIMITS.stringLength)
        return `must hold strings of at most ${MERGE_PATCH_LIMITS.stringLength} characters`;
      continue;
    }
    if (typeof node !== 'object') return 'must hold only JSON values';
    if (depth > MERGE_PATCH_LIMITS.depth)
      return `must be nested at most ${MERGE_PATCH_LIMITS.depth} levels deep`;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
      continue;
    }
    if (!isPlainObject(node)) return 'must hold only JSON values';
    for (const key of Object.keys(node)) {
      if (PROTOTYPE_KEYS.has(key)) return `must not use the key "${key}"`;
      if (key.length > MERGE_PATCH_LIMITS.keyLength)
        return `must use keys of at most ${MERGE_PATCH_LIMITS.keyLength} characters`;
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return undefined;
}

/** A JSON object usable as an RFC 7396 merge patch (see {@link mergePatchProblem}). */
export function IsMergePatch(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMergePatch',
      validator: {
        validate: (value: unknown) => mergePatchProblem(value) === undefined,
        defaultMessage: (args) => mergePatchProblem(args?.value) ?? 'must be a merge patch',
      },
    },
    options,
  );
}

/**
 * An object literal or a null-prototype object: what JSON.parse produces for `{…}`. The test
 * looks at the shape of the prototype chain rather than at this realm's `Object.prototype`, so
 * objects parsed in another realm (a worker, a `vm` context) are plain objects too.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (
    proto === null ||
    (Object.getPrototypeOf(proto) === null &&
      typeof (proto as { hasOwnProperty?: unknown }).hasOwnProperty === 'function')
  );
}
