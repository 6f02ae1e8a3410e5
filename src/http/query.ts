import { isDay, isPartialDate } from '../../events/dates';
import { invalidQuery } from './problem';

/**
 * Parsers of query parameters: each returns the value or throws 400 `invalid-query` naming the
 * parameter. A parameter given twice where one is expected is refused rather than guessed.
 */

type Raw = unknown;

function single(name: string, raw: Raw): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalidQuery(name, 'give this parameter once');
  return raw;
}

/** A calendar day `YYYY-MM-DD` that exists. */
export function dayParam(name: string, raw: Raw): string | undefined {
  const value = single(name, raw);
  if (value === undefined) return undefined;
  if (!isDay(value)) throw invalidQuery(name, `"${truncate(value)}" is not an existing date YYYY-MM-DD`);
  return value;
}

/** A reduced-precision date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), as in the timeline's bounds. */
export function partialDateParam(name: string, raw: Raw): string | undefined {
  const value = single(name, raw);
  if (value === undefined) return undefined;
  if (!isPartialDate(value))
    throw invalidQuery(name, `"${truncate(value)}" is not a date YYYY, YYYY-MM or YYYY-MM-DD`);
  return value;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its zone, normalised to UTC with milliseconds. */
export function instantParam(name: string, raw: Raw): string | undefined {
  const value = single(name, raw);
  if (value === undefined) return undefined;
  const time = INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time) || !isDay(value.slice(0, 10))) {
    throw invalidQuery(
      name,
      `"${truncate(value)}" is not an ISO 8601 instant with a zone, e.g. 2019-09-30T12:00:00Z`,
    );
  }
  return new Date(time).toISOString();
}

/** An integer in `[min, max]`. */
export function intParam(name: string, raw: Raw, min: number, max: number): number | undefined {
  const value = single(name, raw);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,12}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalidQuery(name, `must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

/** One of a few words. */
export function enumParam<T extends string>(name: string, raw: Raw, allowed: readonly T[]): T | undefined {
  const value = single(name, raw);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw invalidQuery(name, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** A repeatable parameter (`type=a&type=b`, also `type=a,b`). */
export function listParam(name: string, raw: Raw): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string'))
    throw invalidQuery(name, 'not a list of words');
  return values.flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** A free string parameter (e.g. an opaque cursor), bounded. */
export function stringParam(name: string, raw: Raw, maxLength = 512): string | undefined {
  const value = single(name, raw);
  if (value !== undefined && value.length > maxLength)
    throw invalidQuery(name, `longer than ${maxLength} characters`);
  return value;
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** Opaque pagination cursors: base64url JSON, checked on the way back in. */
export function encodeCursor(payload: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(name: string, raw: string): Record<string, unknown> {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw invalidQuery(name, 'not a cursor this service gave out');
  }
}
