/**
 * The fuzz campaign's case generator: fast-check arbitraries of hostile HTTP requests against every
 * endpoint of the service. Shared by the short run in `npm test` and the long `npm run fuzz`, so
 * both throw the same kinds of input; a seed reproduces a campaign exactly.
 *
 * A case is one request: method, path (sent as written), headers and raw body text. Bodies are
 * built as text, not through `JSON.stringify`, so they can carry what a client library would never
 * send: duplicate and `__proto__` keys, deep nesting, truncated JSON, lone surrogates.
 */
import fc from 'fast-check';
import { validEvent } from '../reliability/events';

/** What the generator knows about the server under test. */
export interface FuzzContext {
  /** A pair that has events (so reads reach the projections, not just the 404). */
  pair: string;
  /** Ids of events stored in {@link pair}. */
  eventIds: readonly string[];
  recorderToken: string;
  readerToken: string;
}

/** One hostile request. `label` names the kind, for the campaign's summary. */
export interface FuzzCase {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Prints a case without megabytes of body, so a failure report stays readable. */
export function describeCase(c: FuzzCase): string {
  const body =
    c.body === undefined
      ? ''
      : ` body(${Buffer.byteLength(c.body)} B)=${JSON.stringify(c.body.length > 300 ? `${c.body.slice(0, 300)}…` : c.body)}`;
  const headers = Object.fromEntries(
    Object.entries(c.headers).map(([name, value]) => [
      name,
      value.length > 120 ? `${value.slice(0, 120)}…` : value,
    ]),
  );
  const path = c.path.length > 300 ? `${c.path.slice(0, 300)}…(${c.path.length} chars)` : c.path;
  return `[${c.label}] ${c.method} ${path} ${JSON.stringify(headers)}${body}`;
}

/**
 * Node's HTTP parser answers a request head over 16 KiB with a bare 431 before any application
 * code runs; the security tests cover that limit on its own, so the campaign keeps heads below it
 * and spends its cases on what the application does.
 */
const MAX_HEAD = 12_000;

function boundHead(c: FuzzCase): FuzzCase {
  const size =
    c.path.length + Object.entries(c.headers).reduce((sum, [n, v]) => sum + n.length + v.length + 4, 0);
  if (size <= MAX_HEAD) return c;
  const headers = Object.fromEntries(Object.entries(c.headers).map(([n, v]) => [n, v.slice(0, 1500)]));
  return { ...c, path: c.path.slice(0, 6000), headers };
}

function withDescription(c: FuzzCase): FuzzCase {
  Object.defineProperty(c, fc.toStringMethod, { value: () => describeCase(c), enumerable: false });
  return c;
}

// ---------------------------------------------------------------------------------------------
// Hostile scalars

const BAD_DATES = [
  '2019-02-30',
  '2019-13',
  '+002019',
  '2019-00',
  '2019-00-10',
  '2019-1-1',
  '19-01-01',
  '2019-02-29',
  '2019-06-31',
  '0000',
  '-0001',
  '99999',
  '2019/01/01',
  '2019-01-01T00:00:00Z',
  '2019-W01',
  '2019-001',
  '２０１９',
  '2019-01-01 ',
  ' 2019',
  'today',
  'NaN',
  '1e3',
];

const BAD_INSTANTS = [
  '2019-12-31T25:00:00Z',
  '2019-09-30T00:00:00+25:00',
  '2019-09-30T00:00:00',
  '2019-09-30',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '2019-02-30T00:00:00Z',
  'now',
  '0',
  '1e400',
];

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000\u0001\u001f',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066',
  '﻿',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '; DROP TABLE events; --',
  '${jndi:ldap://example.org/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  'true',
  'null',
  'undefined',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://example.org/a',
  'http://',
  'https://exa mple.org',
  'https://example.org/\u0000',
  '//example.org',
  'mailto:a@example.org',
  ...BAD_DATES,
  ...BAD_INSTANTS,
];

const longString = fc
  .tuple(
    fc.constantFrom('a', 'é', '𝄞', '\u0000', ' ', '<'),
    fc.constantFrom(501, 2_001, 10_001, 100_001, 600_000),
  )
  .map(([unit, length]) => unit.repeat(length));

/** Strings an attacker or a broken client might send. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 6 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: longString, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// JSON text with hostile shapes

/** A JSON object given as ordered entries, so duplicate and `__proto__` keys survive. */
class Entries {
  constructor(readonly entries: Array<[string, Json]>) {}
}
type Json = null | boolean | number | string | Json[] | Entries | RawJson;
/** Already-serialised JSON text (deep nesting is built as text, not as objects). */
class RawJson {
  constructor(readonly text: string) {}
}

function toJsonText(value: Json): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Entries) {
    return `{${value.entries.map(([key, v]) => `${JSON.stringify(key)}:${toJsonText(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value === value ? '1e999' : 'null');
  return JSON.stringify(value);
}

function fromPlain(value: unknown): Json {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'string'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === 'object') {
    return new Entries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromPlain(v)]));
  }
  return null;
}

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  '$where',
  'toString',
  'a.b',
  '\u0000',
];

const deepNesting: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(50, 500, 5_000, 50_000, 200_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
      : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );

const hostileNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1e21, Number.MAX_SAFE_INTEGER + 2),
  fc.constantFrom(new RawJson('1e999'), new RawJson('-0'), new RawJson('123456789012345678901234567890')),
);

/** Any JSON value, with hostile strings, numbers, keys and nesting. */
export const hostileJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.boolean(), weight: 1 },
    { arbitrary: hostileNumber as fc.Arbitrary<Json>, weight: 2 },
    { arbitrary: hostileString, weight: 4 },
    { arbitrary: fc.array(tie('value'), { maxLength: 4 }), weight: 1 },
    {
      arbitrary: fc
        .array(
          fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), tie('value')),
          {
            maxLength: 4,
          },
        )
        .map((entries) => new Entries(entries)),
      weight: 1,
    },
    { arbitrary: deepNesting, weight: 1 },
  ),
})).value;

// ---------------------------------------------------------------------------------------------
// Mutations of a valid envelope: close enough to pass the first checks, wrong somewhere deeper

const ENVELOPE_FIELDS = [
  'id',
  'type',
  'date',
  'dateEnd',
  'actor',
  'summary',
  'data',
  'sources',
  'note',
  'pair',
];
const SERVER_FIELDS = ['revision', 'recordedAt', 'recordedBy', 'hash', 'prevHash', 'schemaVersion'];
const DATA_FIELDS = [
  'level',
  'format',
  'measureId',
  'items',
  'list',
  'phase',
  'category',
  'eventId',
  'changes',
  'reason',
];
const SOURCE_FIELDS = ['publisher', 'url', 'title', 'publishedOn', 'quote'];
const EVENT_TYPE_NAMES = [
  'talks-held',
  'export-control-tightened',
  'event-corrected',
  'event-retracted',
  'wto-dispute-filed',
  'agreement-termination-notified',
  'Talks-Held',
  'unknown-type',
];

type Mutation = (event: Map<string, Json>, context: FuzzContext) => void;

function entriesOf(value: Json | undefined): Map<string, Json> {
  return new Map(value instanceof Entries ? value.entries : []);
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ENVELOPE_FIELDS, ...SERVER_FIELDS), hostileJson)
    .map(([field, value]): Mutation => (event) => {
      event.set(field, value);
    }),
  fc.constantFrom(...ENVELOPE_FIELDS).map((field): Mutation => (event) => {
    event.delete(field);
  }),
  fc
    .tuple(
      fc.constantFrom('date', 'dateEnd'),
      fc.constantFrom(...BAD_DATES, '2019', '2019-09', '1900-01-01', '2999-12'),
    )
    .map(([field, value]): Mutation => (event) => {
      event.set(field, value);
    }),
  fc.constantFrom(...EVENT_TYPE_NAMES).map((type): Mutation => (event) => {
    event.set('type', type);
  }),
  fc
    .tuple(fc.constantFrom(...DATA_FIELDS, ...HOSTILE_KEYS, 'unknownField'), hostileJson)
    .map(([field, value]): Mutation => (event) => {
      const data = entriesOf(event.get('data'));
      data.set(field, value);
      event.set('data', new Entries([...data]));
    }),
  fc
    .tuple(fc.constantFrom(...SOURCE_FIELDS, ...HOSTILE_KEYS), hostileJson)
    .map(([field, value]): Mutation => (event) => {
      const sources = event.get('sources');
      const first = entriesOf(Array.isArray(sources) ? sources[0] : undefined);
      first.set(field, value);
      event.set('sources', [new Entries([...first])]);
    }),
  fc
    .constantFrom('javascript:alert(1)', 'data:,x', 'file:///etc/passwd', 'ftp://x.org', 'http//x', '')
    .map((url): Mutation => (event) => {
      event.set('sources', [
        new Entries([
          ['publisher', 'p'],
          ['url', url],
        ]),
      ]);
    }),
  fc.integer({ min: 0, max: 25 }).map((count): Mutation => (event) => {
    event.set(
      'sources',
      Array.from({ length: count }, () => new Entries([['publisher', 'p']])),
    );
  }),
  fc.constantFrom('JPN', 'KOR', 'jpn', 'USA', 'XXX', '', 'JPN-KOR').map((actor): Mutation => (event) => {
    event.set('actor', actor);
  }),
  fc.constantFrom('event-corrected', 'event-retracted').map((type): Mutation => (event, context) => {
    event.set('type', type);
    event.set(
      'data',
      new Entries([
        ['eventId', context.eventIds[0] ?? '00000000-0000-4000-8000-000000000000'],
        ['reason', 'fuzz'],
        ...(type === 'event-corrected'
          ? ([['changes', new Entries([['summary', 'corrected by the fuzzer']])]] as Array<[string, Json]>)
          : []),
      ]),
    );
  }),
);

/** A correction of a stored event whose `changes` are hostile: merge patches, bad dates, types. */
const hostileCorrection: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.oneof(
      hostileJson,
      fc
        .tuple(
          fc.constantFrom('date', 'dateEnd', 'summary', 'data', 'sources', 'type', 'actor', '__proto__'),
          hostileJson,
        )
        .map(([field, value]) => new Entries([[field, value]])),
      fc.constantFrom<Json>(
        new RawJson('{"data":{"__proto__":{"polluted":true}}}'),
        new RawJson('{"data":{"level":null}}'),
        new RawJson('{"data":{"measureId":null,"items":null}}'),
        new RawJson('{"date":"2019-02-30"}'),
        new RawJson('{"dateEnd":"2001"}'),
        new RawJson('{"dateEnd":null}'),
        new RawJson('{"sources":[]}'),
        new RawJson('{"type":"court-ruling"}'),
        new RawJson('{}'),
      ),
    ),
    fc.boolean(),
  )
  .map(([changes, knownTarget]): Mutation => (event, context) => {
    event.set('type', 'event-corrected');
    event.set(
      'data',
      new Entries([
        ['eventId', knownTarget ? (context.eventIds[1] ?? '') : '00000000-0000-4000-8000-000000000000'],
        ['changes', changes],
        ['reason', 'fuzz'],
      ]),
    );
  });

/** A valid envelope with one to three mutations; sometimes none, so some appends really land. */
function mutatedEnvelope(context: FuzzContext): fc.Arbitrary<Json> {
  return fc
    .tuple(
      fc.nat(10_000),
      fc.array(fc.oneof({ arbitrary: mutation, weight: 6 }, { arbitrary: hostileCorrection, weight: 1 }), {
        minLength: 0,
        maxLength: 3,
      }),
    )
    .map(([n, mutations]) => {
      const event = new Map((fromPlain(validEvent(context.pair, n)) as Entries).entries);
      for (const mutate of mutations) mutate(event, context);
      return new Entries([...event]);
    });
}

/** JSON text of a body to append: envelopes, batches, junk, malformed text. */
function appendBody(context: FuzzContext): fc.Arbitrary<string> {
  const envelope = mutatedEnvelope(context);
  return fc.oneof(
    { arbitrary: envelope.map(toJsonText), weight: 6 },
    { arbitrary: fc.array(envelope, { maxLength: 5 }).map(toJsonText), weight: 2 },
    {
      // Many copies of one valid event: a mutated one may carry a 600 KB string.
      arbitrary: fc
        .tuple(fc.nat(10_000), fc.constantFrom(0, 1001, 1500))
        .map(([n, count]) =>
          JSON.stringify(Array.from({ length: count }, () => validEvent(context.pair, n))),
        ),
      weight: 1,
    },
    { arbitrary: hostileJson.map(toJsonText), weight: 3 },
    {
      arbitrary: fc.tuple(envelope, fc.constantFrom(600_000, 1_100_000, 3_000_000)).map(([event, size]) => {
        const entries = new Map((event as Entries).entries);
        entries.set('summary', 'x'.repeat(size));
        return toJsonText(new Entries([...entries]));
      }),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(envelope, fc.double({ min: 0, max: 1, noNaN: true })).map(([event, cut]) => {
        const text = toJsonText(event);
        return text.slice(0, Math.floor(text.length * cut));
      }),
      weight: 2,
    },
    {
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        'true',
        '0',
        '"a string"',
        '[]',
        '{}',
        '[{}]',
        '{"a":1,}',
        "{'a':1}",
        'NaN',
        '\ufeff{}',
        '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}',
        '[null]',
        '[[]]',
        '{"type":"talks-held","type":"court-ruling"}',
        '\u0000',
      ),
      weight: 2,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Paths, queries, headers

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be encoded; send its bytes as WTF-8 would, which no server may trust.
    return '%ED%A0%80';
  }
}

/** Pair segments: valid, oddly written, unknown, malformed, traversal, very long. */
function pairSegment(context: FuzzContext): fc.Arbitrary<string> {
  const [first = 'JPN', second = 'KOR'] = context.pair.split('-');
  return fc.oneof(
    {
      arbitrary: fc.constantFrom(context.pair, `${second}-${first}`.toLowerCase(), `${second}-${first}`),
      weight: 5,
    },
    {
      arbitrary: fc.constantFrom(
        'JPN-JPN',
        'XXX-YYY',
        'CHN-USA',
        'JPN',
        'JPN-KOR-CHN',
        'JP-KR',
        'JPN_KOR',
        '-',
        '%00',
        'JPN%00-KOR',
        '..%2F..%2F..%2Fetc%2Fpasswd',
        '%2e%2e',
        '%2E%2E%2Fpackage.json',
        'JPN%2DKOR',
        '%EF%BC%AA%EF%BC%B0%EF%BC%AE-KOR',
        '%',
        '%zz',
        '%C0%AF',
        '__proto__',
        'constructor',
      ),
      weight: 3,
    },
    { arbitrary: hostileString.map((s) => encode(s.slice(0, 3000))), weight: 2 },
  );
}

function eventIdSegment(context: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      ...(context.eventIds.length > 0 ? context.eventIds : ['00000000-0000-4000-8000-000000000000']),
    ),
    fc.uuid(),
    hostileString.map((s) => encode(s.slice(0, 2000))),
  );
}

const QUERY_NAMES = [
  'asOf',
  'knownAt',
  'from',
  'to',
  'every',
  'dates',
  'type',
  'limit',
  'cursor',
  'since',
  'until',
  'fromRevision',
  'format',
  'pair',
  'fields',
];
const QUERY_VALUES = [
  ...BAD_DATES,
  ...BAD_INSTANTS,
  '2019-09-30',
  '2019',
  '2019-09',
  '2019-09-30T00:00:00Z',
  'day',
  'week',
  'month',
  'quarter',
  'year',
  'decade',
  'ndjson',
  'csv',
  'xml',
  '-1',
  '0',
  '1001',
  '99999999999999999999',
  '1.5',
  'talks-held',
  'unknown-type',
  '1900-01-01',
  '0001-01-01',
  '9999-12-31',
  '0001-01-01T00:00:00Z',
  'index',
  'index,revision',
  'toString',
  'hasOwnProperty',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2019-01-01,2019-02-30',
  Array.from({ length: 1500 }, (_, i) => `2019-01-${String((i % 28) + 1).padStart(2, '0')}`).join(','),
];

/** Query strings: known names with bad values, bracket (object/array) syntax, pollution, junk. */
const queryString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...QUERY_VALUES))
          .map(([n, v]) => `${n}=${encode(v)}`),
        weight: 5,
      },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...QUERY_NAMES), hostileString)
          .map(([n, v]) => `${n}=${encode(v.slice(0, 2000))}`),
        weight: 2,
      },
      {
        arbitrary: fc
          .tuple(
            fc.constantFrom(...QUERY_NAMES),
            fc.constantFrom('[]', '[a]', '[__proto__]', '[0]', '[][]'),
            fc.constantFrom(...QUERY_VALUES.slice(0, 10)),
          )
          .map(([n, b, v]) => `${n}${encode(b)}=${encode(v)}`),
        weight: 2,
      },
      {
        arbitrary: fc.constantFrom(
          '__proto__[polluted]=1',
          '__proto__.polluted=1',
          'constructor[prototype][polluted]=1',
          'asOf[__proto__][x]=1',
          'a[b][c][d][e][f][g][h][i][j][k]=1',
          '%',
          '%zz=1',
          '=',
          '&&&',
          'asOf',
          'limit=1&limit=2',
          `${'a'.repeat(3000)}=1`,
        ),
        weight: 2,
      },
    ),
    { maxLength: 4 },
  )
  .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));

const READ_SUFFIXES = [
  '',
  '/events',
  '/state',
  '/snapshots',
  '/changes',
  '/audit',
  '/audit/verify',
  '/export',
  '/x',
  '/events/',
];

/** Header values made only of bytes Node's client sends (visible ASCII, tab, Latin-1). */
const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom('', ' ', '\t', 'null', '-1', 'ÿ', '"', '""', '\\', 'a'.repeat(4000)),
);

/** Marks a request sent without `Authorization` at all (an absent key means "the recorder's"). */
const NO_AUTHORIZATION = '<none>';

function authorization(context: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(`Bearer ${context.recorderToken}`), weight: 6 },
    { arbitrary: fc.constant(`Bearer ${context.readerToken}`), weight: 1 },
    { arbitrary: fc.constant(NO_AUTHORIZATION), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        `Bearer  ${context.recorderToken}`,
        `bearer ${context.recorderToken}`,
        `Bearer ${context.recorderToken}x`,
        `Bearer ${context.recorderToken.slice(0, -1)}`,
        `Bearer ${context.recorderToken} ${context.recorderToken}`,
        `Basic ${Buffer.from(`alice:${context.recorderToken}`).toString('base64')}`,
        'Token abc',
        `Bearer ${'a'.repeat(4000)}`,
      ),
      weight: 1,
    },
    { arbitrary: headerText.map((t) => `Bearer ${t}`), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'application/merge-patch+json',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/json, text/plain',
  '*/*',
  'json',
  '',
];

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 20 },
  { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 4 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: headerText, weight: 1 },
);

const IF_MATCH = [
  '"0"',
  '"-1"',
  '"1"',
  '"abc"',
  '*',
  'W/"0"',
  '"0", "1"',
  '"99999999999999999999"',
  '0',
  '""',
  '"',
  '"1.5"',
  '"0x1"',
];

const ACCEPT_ENCODING = [
  'gzip',
  'br',
  'deflate',
  'gzip, deflate, br',
  'br;q=0',
  'identity;q=0',
  '*',
  '*;q=0',
  'br;q=abc, gzip;q=',
  'gzip;q=1.5, br;q=-1',
  'x-garbage, compress',
  ';;;,,,',
  'BR;Q=0.9, GZIP',
];

/** A header sent now and then: hostile headers are one kind of input among several. */
function sometimes(arbitrary: fc.Arbitrary<string>, weight = 1): fc.Arbitrary<string | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary, weight });
}

function optionalHeaders(context: FuzzContext, write: boolean): fc.Arbitrary<Record<string, string>> {
  return fc
    .record({
      authorization: sometimes(authorization(context), 3),
      'if-match': sometimes(fc.oneof(fc.constantFrom(...IF_MATCH), headerText)),
      'if-none-match': sometimes(fc.oneof(fc.constantFrom('*', '"0"', 'W/"1"', '* *'), headerText)),
      'last-event-id': sometimes(
        fc.oneof(fc.constantFrom('-1', '0', '1e9', '18446744073709551616', 'abc', '1.5', '0x10'), headerText),
      ),
      accept: sometimes(
        fc.constantFrom(
          'application/json',
          'text/csv',
          'application/xml',
          'text/event-stream',
          '*/*',
          'garbage',
          '',
        ),
      ),
      // Answers may be compressed: odd weights, unknown codings and refusals must not break them.
      'accept-encoding': sometimes(fc.oneof(fc.constantFrom(...ACCEPT_ENCODING), headerText), 2),
      'content-encoding': sometimes(
        fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-garbage', 'gzip, gzip'),
      ),
      'x-request-id': sometimes(headerText),
      range: sometimes(fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=99999999999-', 'garbage')),
      'x-forwarded-for': sometimes(fc.constantFrom('1.2.3.4', '::1', 'garbage', '127.0.0.1, 10.0.0.1')),
    })
    .map((headers) => {
      const clean: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) clean[name] = value;
      if (write && clean.authorization === undefined) clean.authorization = `Bearer ${context.recorderToken}`;
      if (clean.authorization === NO_AUTHORIZATION) delete clean.authorization;
      return clean;
    });
}

// ---------------------------------------------------------------------------------------------
// Whole requests

/** Hostile appends: bodies, content types and headers against `POST …/events`. */
function appendCase(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(
      fc.oneof(
        { arbitrary: fc.constant(context.pair), weight: 4 },
        { arbitrary: pairSegment(context), weight: 1 },
      ),
      appendBody(context),
      contentType,
      optionalHeaders(context, true),
      fc.oneof(
        { arbitrary: fc.constant('POST'), weight: 9 },
        { arbitrary: fc.constantFrom('PUT', 'PATCH'), weight: 1 },
      ),
    )
    .map(([pair, body, type, headers, method]) => {
      const all = { ...headers };
      if (type !== undefined) all['content-type'] = type;
      return { label: 'append', method, path: `/api/relations/${pair}/events`, headers: all, body };
    });
}

/** Hostile reads: every read endpoint with bad pairs, ids, queries and headers. */
function readCase(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const path = fc.oneof(
    {
      arbitrary: fc
        .tuple(pairSegment(context), fc.constantFrom(...READ_SUFFIXES), queryString)
        .map(([pair, suffix, query]) => `/api/relations/${pair}${suffix}${query}`),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(pairSegment(context), eventIdSegment(context), queryString)
        .map(([pair, id, query]) => `/api/relations/${pair}/events/${id}${query}`),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom('JPN', 'kor', 'XXX', 'JP', '392', ''),
            hostileString.map((s) => encode(s.slice(0, 200))),
          ),
          queryString,
        )
        .map(([code, query]) => `/api/countries/${code}/relations${query}`),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('/api/relations', '/health', '/api/live', '/api/openapi.json'), queryString)
        .map(([p, q]) => `${p}${q}`),
      weight: 1,
    },
  );
  return fc
    .tuple(
      path,
      optionalHeaders(context, false),
      fc.oneof(
        { arbitrary: fc.constant('GET'), weight: 8 },
        { arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'DELETE'), weight: 1 },
      ),
    )
    .map(([p, headers, method]) => ({ label: 'read', method, path: p, headers }));
}

const TRAVERSAL_PATHS = [
  '/..%2f..%2fpackage.json',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/assets/../../package.json',
  '/assets/..%2f..%2f..%2fpackage.json',
  '//etc/passwd',
  '/index.html%00.json',
  '/.env',
  '/.git/config',
  '/dist/src/main.js',
  '/package.json',
  '/node_modules/express/package.json',
  '/..\\..\\package.json',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/api/../package.json',
  '/api/%2e%2e/package.json',
  '/api/relations/../../../etc/passwd',
  '/api',
  '/api/',
  '/api/relations/',
  '/api/relations//events',
  '/health/',
  '/metrics/x',
  '/api/docs/..%2f..%2fpackage.json',
  '/favicon.ico',
  '/%',
  '/%zz',
  '/*',
  '/?',
];

/** Paths outside the API routes: traversal, odd encodings, very long, unknown methods. */
function pathCase(): fc.Arbitrary<FuzzCase> {
  const path = fc.oneof(
    { arbitrary: fc.constantFrom(...TRAVERSAL_PATHS), weight: 4 },
    {
      arbitrary: fc.constantFrom(1_000, 4_000, 7_000).map((n) => `/api/relations/${'A'.repeat(n)}/state`),
      weight: 1,
    },
    {
      arbitrary: fc
        .array(
          hostileString.map((s) => encode(s.slice(0, 100))),
          { maxLength: 5 },
        )
        .map((parts) => `/${parts.join('/')}`),
      weight: 2,
    },
    {
      arbitrary: fc
        .array(fc.constantFrom('..', '%2e%2e', '.', '%2f', 'api', 'relations', 'JPN-KOR'), { maxLength: 8 })
        .map((p) => `/${p.join('/')}`),
      weight: 2,
    },
  );
  return fc
    .tuple(
      path,
      fc.constantFrom(
        'GET',
        'GET',
        'GET',
        'HEAD',
        'POST',
        'PUT',
        'DELETE',
        'OPTIONS',
        'PATCH',
        'TRACE',
        'PROPFIND',
      ),
    )
    .map(([p, method]) => ({ label: 'path', method, path: p, headers: {} }));
}

/** Every kind of hostile request, weighted toward appends (the write path guards the record). */
export function fuzzCase(context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return fc
    .oneof(
      { arbitrary: appendCase(context), weight: 5 },
      { arbitrary: readCase(context), weight: 4 },
      { arbitrary: pathCase(), weight: 1 },
    )
    .map((c) => withDescription(boundHead(c)));
}
