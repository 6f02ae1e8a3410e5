/**
 * The one validation of incoming events, used by the HTTP controller, the CLI importer and the
 * tests. It never throws: whatever the input, the answer is a clean event or every problem found.
 */
import { EVENT_TYPES, SCHEMA_VERSION, type EventInput, type EventType, type PairId } from './catalogue';
import { parsePair } from './countries';
import { endOf } from './dates';
import { isPlainObject } from './schemas/constraints';
import { compileSchema, type CompiledSchema } from './schemas/compile';
import { CORRECTABLE_FIELDS } from './schemas/correction-changes.schema';
import { EVENT_DATA_SCHEMAS } from './schemas/data.schemas';
import { AMENDMENT_TYPES, EventEnvelopeSchema, REQUIRED_FOR_DEVELOPMENTS } from './schemas/envelope.schema';
import { upcast, type VersionedEnvelope } from './upcasters';
import { ProblemSink, type ParseResult } from './validation';

export type { ParseResult, ValidationProblem } from './validation';

/** What the caller knows about where the event goes. */
export interface ParseContext {
  /** The pair (any case or order) the event is appended to: `actor` must be one of its countries. */
  pair?: string;
}

/** One line of an NDJSON import or export: the pair and the event to record in it. */
export interface ImportLine {
  pair: PairId;
  event: EventInput;
}

/**
 * Fields an exported event carries that the service sets itself. An import ignores them: a
 * re-import is a new recording, with its own revision, time, principal and hashes.
 */
export const SERVER_SET_FIELDS: readonly string[] = [
  'pair',
  'revision',
  'recordedAt',
  'recordedBy',
  'schemaVersion',
  'prevHash',
  'hash',
];

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const IGNORED_ON_IMPORT: ReadonlySet<string> = new Set(SERVER_SET_FIELDS);

let compiled: { envelope: CompiledSchema; data: ReadonlyMap<string, CompiledSchema> } | undefined;

/** The compiled schemas, built once on first use. */
function schemas(): NonNullable<typeof compiled> {
  compiled ??= {
    envelope: compileSchema(EventEnvelopeSchema),
    data: new Map(EVENT_TYPES.map((type) => [type, compileSchema(EVENT_DATA_SCHEMAS[type])])),
  };
  return compiled;
}

/**
 * Validates one event envelope as a client sends it. Reports every problem (unknown fields at
 * every level, bad dates, `dateEnd` before `date`, an `actor` outside `context.pair`…) and, when
 * there is none, returns a clean plain object: known fields only, no `undefined` values, UUIDs in
 * lower case, so that it hashes canonically.
 */
export function parseEvent(input: unknown, context: ParseContext = {}): ParseResult<EventInput> {
  const sink = new ProblemSink();
  let value: EventInput | undefined;
  try {
    const countries = pairCountries(context.pair, sink);
    value = parseEnvelope(input, countries, sink);
  } catch {
    // A getter or proxy that throws is not JSON; it is reported, never propagated.
    sink.add('', 'could not be read as a JSON value');
  }
  return finish(sink, value);
}

/**
 * Validates one NDJSON import line: an event envelope plus its `pair` (any case, either order).
 * The server-set fields of an exported event are ignored; a line at an older schema version is
 * upcast first, one at a newer version is refused.
 */
export function parseImportLine(input: unknown): ParseResult<ImportLine> {
  const sink = new ProblemSink();
  let value: ImportLine | undefined;
  try {
    value = parseLine(input, sink);
  } catch {
    sink.add('', 'could not be read as a JSON value');
  }
  return finish(sink, value);
}

/** A `{pair}` path parameter or option (`kor-jpn`, `JPN-KOR`) in canonical form. */
export function parsePairParam(value: unknown, path = 'pair'): ParseResult<PairId> {
  const parsed = parsePair(value);
  return parsed.ok
    ? { ok: true, value: parsed.pair }
    : { ok: false, errors: [{ path, message: parsed.problem }] };
}

function finish<T>(sink: ProblemSink, value: T | undefined): ParseResult<T> {
  if (sink.count === 0 && value !== undefined) return { ok: true, value };
  if (sink.count === 0) sink.add('', 'is not valid');
  return { ok: false, errors: sink.list() };
}

// A bulk import parses thousands of events of the same few pairs: remember their countries.
const pairCache = new Map<string, ReturnType<typeof parsePair>>();

function cachedPair(pair: unknown): ReturnType<typeof parsePair> {
  if (typeof pair !== 'string') return parsePair(pair);
  let parsed = pairCache.get(pair);
  if (!parsed) {
    parsed = parsePair(pair);
    if (pairCache.size >= 10_000) pairCache.clear();
    pairCache.set(pair, parsed);
  }
  return parsed;
}

function pairCountries(pair: string | undefined, sink: ProblemSink): readonly string[] | undefined {
  if (pair === undefined) return undefined;
  const parsed = cachedPair(pair);
  if (!parsed.ok) {
    sink.add('pair', parsed.problem);
    return undefined;
  }
  return parsed.countries;
}

function parseLine(input: unknown, sink: ProblemSink): ImportLine | undefined {
  if (!isPlainObject(input)) {
    sink.add('', 'must be a JSON object: one event envelope with its pair');
    return undefined;
  }
  const parsedPair = cachedPair(input.pair);
  if (!parsedPair.ok) sink.add('pair', input.pair === undefined ? 'is required' : parsedPair.problem);
  let line: Record<string, unknown> = input;
  if (Object.prototype.hasOwnProperty.call(input, 'schemaVersion')) {
    const version = input.schemaVersion;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
      sink.add('schemaVersion', 'must be a whole number of 0 or more');
      return undefined;
    }
    if (version > SCHEMA_VERSION) {
      sink.add('schemaVersion', `is newer than this service understands (${SCHEMA_VERSION})`);
      return undefined;
    }
    if (version < SCHEMA_VERSION && typeof input.type === 'string') {
      // Spreading defines own properties (a `__proto__` key stays a plain key, refused below).
      const versioned: Record<string, unknown> & VersionedEnvelope = {
        ...input,
        schemaVersion: version,
        type: input.type,
        data: input.data,
      };
      line = upcast(versioned);
    }
  }
  const event = parseEnvelope(
    line,
    parsedPair.ok ? parsedPair.countries : undefined,
    sink,
    IGNORED_ON_IMPORT,
  );
  return event && parsedPair.ok ? { pair: parsedPair.pair, event } : undefined;
}

function parseEnvelope(
  input: unknown,
  countries: readonly string[] | undefined,
  sink: ProblemSink,
  ignored?: ReadonlySet<string>,
): EventInput | undefined {
  if (!isPlainObject(input)) {
    sink.add('', 'must be a JSON object: one event envelope');
    return undefined;
  }
  const { envelope, data: dataSchemas } = schemas();
  const before = sink.count;
  const clean = envelope.validate(input, '', sink, ignored);
  if (!clean) return undefined;

  const type =
    typeof input.type === 'string' && KNOWN_TYPES.has(input.type) ? (input.type as EventType) : undefined;
  const amendment = type !== undefined && AMENDMENT_TYPES.has(type);
  if (!amendment) {
    for (const field of REQUIRED_FOR_DEVELOPMENTS) {
      if (input[field] === undefined) sink.add(field, 'is required');
    }
  }
  if (type !== undefined && isPlainObject(input.data)) {
    const data = dataSchemas.get(type)!.validate(input.data, 'data', sink);
    if (data) {
      if (amendment) checkAmendment(type, input.data, data, clean, sink);
      clean.data = data;
    }
  }
  if (typeof clean.date === 'string' && typeof clean.dateEnd === 'string') {
    checkDateOrder(clean.date, clean.dateEnd, 'dateEnd', sink);
  }
  if (countries && typeof clean.actor === 'string' && !countries.includes(clean.actor)) {
    sink.add('actor', `must be one of the pair's countries: ${countries.join(', ')}`);
  }
  if (typeof clean.id === 'string') clean.id = clean.id.toLowerCase();
  return sink.count === before ? (clean as EventInput) : undefined;
}

function checkAmendment(
  type: EventType,
  raw: Record<string, unknown>,
  data: Record<string, unknown>,
  envelope: Record<string, unknown>,
  sink: ProblemSink,
): void {
  if (typeof data.eventId === 'string') {
    data.eventId = data.eventId.toLowerCase();
    if (typeof envelope.id === 'string' && envelope.id.toLowerCase() === data.eventId) {
      sink.add('data.eventId', `must name an earlier event, not the ${type} itself`);
    }
  }
  const changes = data.changes;
  const sent = raw.changes;
  if (type !== 'event-corrected' || !isPlainObject(changes) || !isPlainObject(sent)) return;
  if (!CORRECTABLE_FIELDS.some((field) => sent[field] !== undefined)) {
    sink.add('data.changes', `must change at least one of ${CORRECTABLE_FIELDS.join(', ')}`);
  }
  if (typeof changes.date === 'string' && typeof changes.dateEnd === 'string') {
    checkDateOrder(changes.date, changes.dateEnd, 'data.changes.dateEnd', sink);
  }
}

function checkDateOrder(date: string, dateEnd: string, path: string, sink: ProblemSink): void {
  // Both are valid here; an end that finishes before the start would shrink the interval, not widen it.
  if (endOf(dateEnd) < endOf(date)) sink.add(path, `must not be before date (${date})`);
}
