import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { bearer, jpnKorEvent, startServer, talksEvent, TOKENS, type TestServer } from '../support/http';

/**
 * Malformed bodies, headers and query strings thrown at every endpoint: the answer is always a
 * success or a 4xx problem document, never a 5xx, and the server keeps answering.
 */

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** A raw request, so that any bytes and header values can be sent. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function expectSafe(answer: Answer, what: string): void {
  if (answer.status >= 500 || answer.status === 0)
    throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  if (answer.status >= 400) {
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer.body) as { type: string; status: number };
    expect(problem.type).toMatch(/^\/problems\/[a-z-]+$/);
    expect(problem.status).toBe(answer.status);
    expect(answer.body).not.toMatch(/\/work\/|node_modules|at [A-Za-z]+ \(/);
  }
}

const READ_PATHS = [
  '/api/relations',
  '/api/countries/{code}/relations',
  '/api/relations/{pair}/events',
  '/api/relations/{pair}/events/{id}',
  '/api/relations/{pair}/state',
  '/api/relations/{pair}/snapshots',
  '/api/relations/{pair}/changes',
  '/api/relations/{pair}/audit',
  '/api/relations/{pair}/audit/verify',
  '/api/relations/{pair}/export',
];

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
  'fields',
  '__proto__',
  'constructor',
];
const NASTY = [
  '2019-02-30',
  '2019-13',
  '+002019',
  '2019-09-30T25:00:00Z',
  '-1',
  '1e3',
  '99999999999999999999',
  '',
  '%00',
  '%E0%A4%A',
  '[object Object]',
  'x'.repeat(3000),
  '..%2F..%2Fetc%2Fpasswd',
  'JPN-KOR',
  'kor-jpn',
  'ZZZ-JPN',
  'JPN-JPN',
];

const segment = fc.oneof(
  fc.constantFrom(...NASTY.filter((v) => !v.includes('%'))),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const queryValue = fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 40 }).map(encodeURIComponent));
const query = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 8 }).map(encodeURIComponent)),
      queryValue,
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** JSON values with the shapes of events, broken in every way. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.string({ maxLength: 30 }),
    fc.constantFrom(...NASTY),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('__proto__', 'constructor', 'type', 'data', 'date', 'actor', 'sources'),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const mutatedEvent = fc
  .tuple(
    fc.constantFrom(jpnKorEvent(), talksEvent(1)),
    fc.constantFrom(
      'type',
      'date',
      'dateEnd',
      'actor',
      'summary',
      'data',
      'sources',
      'note',
      'id',
      '__proto__',
      'extra',
    ),
    jsonish,
  )
  .map(([event, key, value]) => JSON.stringify({ ...event, [key]: value }).replace('"extra"', '"__proto__"'));

const body = fc.oneof(
  mutatedEvent,
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 200 }),
  fc.constant('['.repeat(5000) + ']'.repeat(5000)),
  fc.constant(`{"a":${'['.repeat(200_000)}`),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
);

const headerValue = fc.constantFrom(
  '"0"',
  '"-1"',
  '*',
  'W/"3"',
  '"abc"',
  '0',
  '"99999999999999999999"',
  '',
  ',,,',
);

describe('fuzzing every endpoint', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ WRITE_RATE_LIMIT: '100000' });
    await server
      .http()
      .post('/api/relations/JPN-KOR/events')
      .set(bearer(TOKENS.recorder))
      .send(jpnKorEvent())
      .expect(201);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers malformed paths and query strings on every read with a 2xx or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...READ_PATHS), segment, segment, query, async (template, a, b, q) => {
        const path = template.replace('{pair}', a).replace('{code}', a).replace('{id}', b);
        const answer = await send(server.url, 'GET', `${path}?${q}`, {});
        expectSafe(answer, `GET ${path}?${q.slice(0, 100)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('answers malformed bodies, content types and preconditions on append with a 4xx problem or a success', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('JPN-KOR', 'kor-jpn', 'CHN-USA', 'JPN-JPN', 'xx'),
        body,
        contentType,
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, gzip'), {
          nil: undefined,
        }),
        async (pair, payload, type, ifMatch, ifNoneMatch, encoding) => {
          const headers: Record<string, string> = { ...bearer(TOKENS.recorder), 'Content-Type': type };
          if (encoding !== undefined) headers['Content-Encoding'] = encoding;
          if (ifMatch !== undefined) headers['If-Match'] = ifMatch;
          if (ifNoneMatch !== undefined) headers['If-None-Match'] = ifNoneMatch;
          const answer = await send(server.url, 'POST', `/api/relations/${pair}/events`, headers, payload);
          expectSafe(answer, `POST ${pair} ${type} ${payload.slice(0, 120)}`);
        },
      ),
      { numRuns: 150 },
    );
    // After all that, the record is still whole.
    const verify = await server.http().get('/api/relations/JPN-KOR/audit/verify').expect(200);
    expect(verify.body.valid).toBe(true);
  });

  it('answers odd methods, authorization headers and live-stream resumes with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('PUT', 'DELETE', 'PATCH', 'POST', 'OPTIONS'),
        fc.constantFrom(...READ_PATHS, '/health', '/metrics'),
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Basic abc',
          'Bearer a b',
          `Bearer ${'x'.repeat(5000)}`,
          'bearer rob',
        ),
        async (method, template, authorization) => {
          const path = template.replace('{pair}', 'JPN-KOR').replace('{code}', 'JPN').replace('{id}', 'x');
          const answer = await send(
            server.url,
            method,
            path,
            { Authorization: authorization, 'Content-Type': 'application/json' },
            '{}',
          );
          expectSafe(answer, `${method} ${path}`);
        },
      ),
      { numRuns: 60 },
    );
    for (const lastEventId of ['abc', '-1', '1'.repeat(40)]) {
      const answer = await send(server.url, 'GET', '/api/live', { 'Last-Event-ID': lastEventId });
      expectSafe(answer, `live ${lastEventId}`);
      expect(answer.status).toBe(400);
    }
  });
});
