/**
 * The one way to turn a validated input into a recorded event: defaults, server fields, hash.
 * The service's append path, the importer and the test builders all go through here.
 */
import {
  SCHEMA_VERSION,
  type EventInput,
  type PairId,
  type RecordedEvent,
  type StoredEnvelope,
} from '../events/catalogue';
import { countriesOf } from '../events/countries';
import { dayOfInstant } from '../events/dates';
import { computeHash } from './hash-chain';

/** Server-set fields of the event being recorded. */
export interface RecordingContext {
  /** 0-based position in the pair's stream. */
  revision: number;
  /**
   * Transaction time, an ISO 8601 instant in UTC with milliseconds (`toISOString()`). It must never
   * be earlier than the previous event's `recordedAt` in the same stream: the caller passes
   * `max(clock, previous recordedAt)`, so "known at" filters always take a prefix of the stream.
   */
  recordedAt: string;
  /** The authenticated principal appending the event. */
  recordedBy: string;
  /** `hash` of the previous revision, `GENESIS_HASH` for revision 0. */
  prevHash: string;
  /** Defaults to the current `SCHEMA_VERSION`. */
  schemaVersion?: number;
}

/** Copy of a JSON-like value without `undefined` object members, which JSON would drop anyway. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUndefined(item)) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      // defineProperty keeps a `__proto__` key an own member instead of changing the prototype;
      // plain assignment everywhere else keeps the object in V8's fast mode.
      if (key === '__proto__') {
        Object.defineProperty(copy, key, {
          value: withoutUndefined(member),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else copy[key] = withoutUndefined(member);
    }
    return copy as T;
  }
  return value;
}

/**
 * Builds the recorded event for an input already validated by `parseEvent`. For
 * `event-corrected`/`event-retracted` it fills the omitted `date` (the UTC day of `recordedAt`),
 * `actor` (the pair's first country) and `sources` (none). Throws a `TypeError` when another type
 * lacks `date`, `actor` or `sources`: validation should have refused such an input.
 */
export function recordEnvelope(
  pair: PairId,
  input: EventInput & { id: string },
  ctx: RecordingContext,
): RecordedEvent {
  const isReference = input.type === 'event-corrected' || input.type === 'event-retracted';
  const date = input.date ?? (isReference ? dayOfInstant(ctx.recordedAt) : undefined);
  const actor = input.actor ?? (isReference ? countriesOf(pair)[0] : undefined);
  const sources = input.sources ?? (isReference ? [] : undefined);
  if (date === undefined || actor === undefined || sources === undefined) {
    throw new TypeError(`${input.type} needs date, actor and sources`);
  }
  // parseEvent already returns clean objects: checking costs far less than the deep copy it spares.
  const stored: Record<string, unknown> = {
    id: input.id,
    pair,
    revision: ctx.revision,
    type: input.type,
    date,
  };
  if (input.dateEnd !== undefined) stored.dateEnd = input.dateEnd;
  stored.actor = actor;
  if (input.summary !== undefined) stored.summary = input.summary;
  if (input.data !== undefined) stored.data = clean(input.data);
  stored.sources = clean(sources);
  if (input.note !== undefined) stored.note = input.note;
  stored.recordedAt = ctx.recordedAt;
  stored.recordedBy = ctx.recordedBy;
  stored.schemaVersion = ctx.schemaVersion ?? SCHEMA_VERSION;
  stored.prevHash = ctx.prevHash;
  stored.hash = computeHash(stored as unknown as StoredEnvelope);
  return stored as unknown as RecordedEvent;
}

/** The value itself when it holds no `undefined` member at any depth, else a cleaned copy. */
function clean<T>(value: T): T {
  return hasUndefinedMember(value) ? withoutUndefined(value) : value;
}

function hasUndefinedMember(value: unknown): boolean {
  if (Array.isArray(value))
    return value.some((item: unknown) => item === undefined || hasUndefinedMember(item));
  if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined || hasUndefinedMember(member)) return true;
    }
  }
  return false;
}
