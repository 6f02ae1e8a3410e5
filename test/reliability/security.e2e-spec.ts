/**
 * The security promises, checked against the real server process: secure headers, 401 vs 403,
 * `recordedBy` from the token only, the per-token write rate limit (429 with Retry-After), tokens
 * kept hashed (mode 0600) when generated, no stack trace or internal path in any error, body and
 * string limits, `url` schemes limited to http/https.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validEvent } from './events';
import { httpRequest, json, jsonRequest, text, type HttpResponse } from './http-client';
import { readAudit } from './pair-reads';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from './server-process';

const PAIR = 'JPN-KOR';
const EVENTS = `/api/relations/${PAIR}/events`;

function problemOf(response: HttpResponse): {
  type: string;
  title: string;
  status: number;
  errors?: Array<{ path: string }>;
} {
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  return json(response);
}

/** Sends raw bytes on a fresh connection; resolves with what came back before the server closed it (or 3 s passed). */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolveAnswer) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from(bytes, 'latin1')));
    const done = () => resolveAnswer(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** What an error answer must never reveal. */
const LEAK =
  /(\n\s+at \S|\bat [\w.<>$]+ \(|\/work\/|\/home\/|\/tmp\/|node_modules|dist\/src|\.ts:\d+|SqliteError|TypeError)/;

describe('security of the running service', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-security-'));
    server = await ServerProcess.start({ dbFile: join(dir, 'main.db') });
    const seeded = await jsonRequest(server.url, 'POST', EVENTS, {
      token: TOKENS.recorder,
      body: validEvent(PAIR, 0),
    });
    expect(seeded.status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  describe('headers', () => {
    it.each(['/health', '/api/relations', `/api/relations/${PAIR}/state`, '/api/nothing-here'])(
      'sends helmet secure headers and no X-Powered-By on %s',
      async (path) => {
        const response = await httpRequest(server.url, { method: 'GET', path });
        expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(response.headers['content-security-policy']).toMatch(/object-src 'none'/);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(response.headers['x-powered-by']).toBeUndefined();
      },
    );
  });

  describe('authentication and authorisation of writes', () => {
    it('answers 401 unauthorized with WWW-Authenticate to an append without a token or with an unknown one', async () => {
      for (const authorization of [
        undefined,
        'Bearer not-a-known-token-123',
        `Basic ${TOKENS.recorder}`,
        'Bearer ',
      ]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization !== undefined) headers.authorization = authorization;
        const response = await httpRequest(server.url, {
          method: 'POST',
          path: EVENTS,
          headers,
          body: JSON.stringify(validEvent(PAIR, 1)),
        });
        expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
        expect(problemOf(response).type).toBe('/problems/unauthorized');
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('answers 403 forbidden to an append with a reader token', async () => {
      const response = await jsonRequest(server.url, 'POST', EVENTS, {
        token: TOKENS.reader,
        body: validEvent(PAIR, 2),
      });
      expect(response.status).toBe(403);
      expect(problemOf(response).type).toBe('/problems/forbidden');
    });

    it('records the token name as recordedBy, whatever the body claims', async () => {
      const claimed = { ...validEvent(PAIR, 3), recordedBy: 'mallory' };
      const forged = await jsonRequest(server.url, 'POST', EVENTS, {
        token: TOKENS.recorder2,
        body: claimed,
      });
      // Refusing the server-set field is as good as ignoring it; storing it is not.
      expect([201, 400]).toContain(forged.status);
      const plain = await jsonRequest(server.url, 'POST', EVENTS, {
        token: TOKENS.recorder2,
        body: validEvent(PAIR, 4),
      });
      expect(plain.status).toBe(201);
      const audit = await readAudit(server.url, PAIR);
      expect(audit.map((e) => e.recordedBy)).not.toContain('mallory');
      const plainId = json<{ events: Array<{ id: string }> }>(plain).events[0]?.id;
      expect(audit.find((e) => e.id === plainId)?.recordedBy).toBe('bob');
      expect(audit[0]?.recordedBy).toBe('alice');
    });
  });

  describe('input limits', () => {
    it('answers 413 payload-too-large to a body over 1 MiB, and to more than 1000 events', async () => {
      const huge = { ...validEvent(PAIR, 5), note: 'x'.repeat(1024 * 1024) };
      const tooBig = await jsonRequest(server.url, 'POST', EVENTS, { token: TOKENS.recorder, body: huge });
      expect(tooBig.status).toBe(413);
      expect(problemOf(tooBig).type).toBe('/problems/payload-too-large');

      const many = Array.from({ length: 1001 }, (_, i) => ({
        ...validEvent(PAIR, i),
        sources: [{ publisher: 'p' }],
      }));
      const tooMany = await jsonRequest(server.url, 'POST', EVENTS, { token: TOKENS.recorder, body: many });
      expect(tooMany.status).toBe(413);
      expect(problemOf(tooMany).type).toBe('/problems/payload-too-large');
    });

    it.each([
      ['javascript:alert(1)'],
      ['JAVASCRIPT:alert(1)'],
      ['data:text/html,<script>alert(1)</script>'],
      ['file:///etc/passwd'],
      ['ftp://example.org/report'],
      ['vbscript:msgbox(1)'],
    ])('refuses a source url %s with 400 validation-failed naming sources[0].url', async (url) => {
      const event = { ...validEvent(PAIR, 6), sources: [{ publisher: 'p', url }] };
      const response = await jsonRequest(server.url, 'POST', EVENTS, { token: TOKENS.recorder, body: event });
      expect(response.status).toBe(400);
      const problem = problemOf(response);
      expect(problem.type).toBe('/problems/validation-failed');
      expect(problem.errors?.map((e) => e.path)).toContain('sources[0].url');
    });

    it('accepts http and https source urls', async () => {
      for (const url of ['http://example.org/a', 'https://example.org/b']) {
        const event = { ...validEvent(PAIR, 7), sources: [{ publisher: 'p', url }] };
        const response = await jsonRequest(server.url, 'POST', EVENTS, {
          token: TOKENS.recorder,
          body: event,
        });
        expect({ url, status: response.status }).toEqual({ url, status: 201 });
      }
    });

    it.each([
      ['summary', (e: Record<string, unknown>) => ({ ...e, summary: 's'.repeat(501) })],
      ['note', (e: Record<string, unknown>) => ({ ...e, note: 'n'.repeat(200_000) })],
      [
        'sources[0].publisher',
        (e: Record<string, unknown>) => ({ ...e, sources: [{ publisher: 'p'.repeat(200_000) }] }),
      ],
      [
        'sources[0].quote',
        (e: Record<string, unknown>) => ({ ...e, sources: [{ publisher: 'p', quote: 'q'.repeat(200_000) }] }),
      ],
      [
        'sources[0].title',
        (e: Record<string, unknown>) => ({ ...e, sources: [{ publisher: 'p', title: 't'.repeat(200_000) }] }),
      ],
      [
        'sources[0].url',
        (e: Record<string, unknown>) => ({
          ...e,
          sources: [{ publisher: 'p', url: `https://example.org/${'u'.repeat(200_000)}` }],
        }),
      ],
      [
        'data.category',
        (e: Record<string, unknown>) => ({
          ...e,
          type: 'other-development',
          data: { category: 'c'.repeat(200_000) },
        }),
      ],
      [
        'data.measureId',
        (e: Record<string, unknown>) => ({
          ...e,
          type: 'export-control-tightened',
          data: { measureId: 'm'.repeat(200_000), items: ['x'] },
        }),
      ],
    ])('refuses a very long %s with 400 validation-failed', async (path, make) => {
      const event = make(validEvent(PAIR, 8) as unknown as Record<string, unknown>);
      const response = await jsonRequest(server.url, 'POST', EVENTS, { token: TOKENS.recorder, body: event });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(problemOf(response).errors?.map((e) => e.path)).toContain(path);
    });

    it('answers an oversized request head with a 431 problem document', async () => {
      const response = await httpRequest(server.url, {
        method: 'GET',
        path: '/health',
        headers: { 'x-padding': 'a'.repeat(20_000) },
      });
      expect(response.status).toBe(431);
      expect(problemOf(response).status).toBe(431);
    });

    it('answers malformed HTTP with a problem document or by closing the connection, and keeps serving', async () => {
      const host = 'Host: 127.0.0.1\r\n';
      const append = `POST ${EVENTS} HTTP/1.1\r\n${host}Authorization: Bearer ${TOKENS.recorder}\r\nContent-Type: application/json\r\n`;
      const malformed = [
        'GARBAGE\r\n\r\n',
        'GET /health\r\n\r\n',
        'GET /health HTTP/9.9\r\n\r\n',
        `GET /health HTTP/1.1\r\n${host}X-Bad: a\u0000b\r\n\r\n`,
        `GET /health HTTP/1.1\r\n${host}Bad Header: x\r\n\r\n`,
        `GET /he alth HTTP/1.1\r\n${host}\r\n`,
        `GET /health HTTP/1.1\r\n${host}${'X-Many: y\r\n'.repeat(3000)}\r\n`,
        `${append}Content-Length: abc\r\n\r\n{}`,
        `${append}Content-Length: 10\r\nContent-Length: 20\r\n\r\n{}`,
        `${append}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        `${append}Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
        `${append}Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        `${append}Content-Length: 100\r\n\r\n{"type":`,
        '\r\n\r\n\r\n',
        `GET /${'a'.repeat(70_000)} HTTP/1.1\r\n${host}\r\n`,
      ];
      const broken: string[] = [];
      for (const bytes of malformed) {
        const answer = await rawExchange(server.port, bytes);
        const label = JSON.stringify(bytes.length > 80 ? `${bytes.slice(0, 80)}…` : bytes);
        if (answer === '') continue; // closed without an answer: nothing was promised to a broken client
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
        const type = /\r\ncontent-type: ([^\r]*)/i.exec(answer)?.[1] ?? '';
        // What the HTTP parser accepts (e.g. a request line without a version) may well succeed.
        if (!(status >= 200 && status < 500)) broken.push(`${label}: answered ${answer.slice(0, 60)}`);
        else if (status >= 400 && !type.startsWith('application/problem+json')) {
          broken.push(`${label}: ${status} as "${type}"`);
        }
        if (LEAK.test(answer.slice(answer.indexOf('\r\n\r\n')))) broken.push(`${label}: reveals internals`);
      }
      expect(broken).toEqual([]);
      expect((await httpRequest(server.url, { method: 'GET', path: '/health' })).status).toBe(200);
    });

    it('does not let __proto__ keys in bodies or queries pollute what the service answers', async () => {
      const polluting = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${JSON.stringify(validEvent(PAIR, 9)).slice(1)}`;
      const body = await httpRequest(server.url, {
        method: 'POST',
        path: EVENTS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.recorder}` },
        body: polluting,
      });
      expect(body.status).toBeLessThan(500);
      const query = await httpRequest(server.url, {
        method: 'GET',
        path: `/api/relations/${PAIR}/state?__proto__[polluted]=yes&constructor[prototype][polluted]=yes`,
      });
      expect(query.status).toBeLessThan(500);
      for (const path of [
        '/api/relations',
        `/api/relations/${PAIR}/state`,
        `/api/relations/${PAIR}/events`,
        '/health',
      ]) {
        const response = await httpRequest(server.url, { method: 'GET', path });
        expect({ path, polluted: text(response).includes('polluted') }).toEqual({ path, polluted: false });
      }
    });
  });

  describe('errors reveal nothing of the inside', () => {
    it('answers every kind of error with a problem document free of stack traces and internal paths', async () => {
      const auth = { authorization: `Bearer ${TOKENS.recorder}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const requests: Array<{
        method: string;
        path: string;
        headers?: Record<string, string>;
        body?: string;
      }> = [
        { method: 'POST', path: EVENTS, headers: json, body: '{"type":' },
        { method: 'POST', path: EVENTS, headers: json, body: '{}' },
        { method: 'POST', path: EVENTS, headers: json, body: '[null]' },
        { method: 'POST', path: EVENTS, headers: { ...auth, 'content-type': 'text/plain' }, body: 'hello' },
        {
          method: 'POST',
          path: EVENTS,
          headers: { ...json, 'content-encoding': 'gzip' },
          body: '{"not":"gzip"}',
        },
        { method: 'POST', path: EVENTS, headers: { ...json, 'content-encoding': 'br' }, body: '{}' },
        {
          method: 'POST',
          path: EVENTS,
          headers: { ...json, 'if-match': 'garbage' },
          body: JSON.stringify(validEvent(PAIR, 10)),
        },
        {
          method: 'POST',
          path: EVENTS,
          headers: { ...json, 'if-match': '"9999"' },
          body: JSON.stringify(validEvent(PAIR, 11)),
        },
        {
          method: 'POST',
          path: '/api/relations/JPN-JPN/events',
          headers: json,
          body: JSON.stringify(validEvent(PAIR, 12)),
        },
        { method: 'GET', path: '/api/relations/XXX-YYY/state' },
        { method: 'GET', path: '/api/relations/%zz/state' },
        { method: 'GET', path: `/api/relations/${PAIR}/state?asOf=2019-02-30` },
        { method: 'GET', path: `/api/relations/${PAIR}/state?knownAt=yesterday` },
        { method: 'GET', path: `/api/relations/${PAIR}/snapshots?from=2019&to=2018&every=decade` },
        { method: 'GET', path: `/api/relations/${PAIR}/events/not-an-id` },
        { method: 'GET', path: `/api/relations/${PAIR}/events?cursor=%00%ff&limit=-1` },
        { method: 'GET', path: `/api/relations/${PAIR}/audit?fromRevision=abc` },
        { method: 'GET', path: `/api/relations/${PAIR}/export?format=xml` },
        { method: 'GET', path: '/api/relations/CHN-USA/audit/verify' },
        { method: 'GET', path: '/..%2f..%2fpackage.json' },
        { method: 'GET', path: '/api/../../etc/passwd' },
        { method: 'DELETE', path: EVENTS },
        { method: 'GET', path: '/api/live', headers: { 'last-event-id': 'not-a-position' } },
      ];
      // Every request is tried and every broken promise listed, not just the first.
      const broken: string[] = [];
      for (const request of requests) {
        const response = await httpRequest(server.url, request);
        const body = text(response);
        const summary = `${request.method} ${request.path} ${JSON.stringify(request.headers ?? {})} -> ${response.status}`;
        if (response.status >= 500) broken.push(`${summary}: a server error`);
        if (response.status < 400) broken.push(`${summary}: not an error`);
        if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
          broken.push(`${summary}: content-type ${String(response.headers['content-type'])}`);
          continue;
        }
        const { instance: _ownPath, ...problem } = JSON.parse(body) as Record<string, unknown>;
        const leak = LEAK.exec(JSON.stringify(problem))?.[0];
        if (leak !== undefined) broken.push(`${summary}: reveals ${JSON.stringify(leak)}`);
        if (/root:x:0:0|"devDependencies"/.test(body))
          broken.push(`${summary}: serves a file outside the web root`);
      }
      expect(broken).toEqual([]);
    });
  });
});

describe('write rate limit per token', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-ratelimit-'));
    server = await ServerProcess.start({ dbFile: join(dir, 'rate.db'), env: { WRITE_RATE_LIMIT: '5' } });
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 rate-limited with Retry-After once a token exceeds its appends per minute, and only for that token', async () => {
    // Given a limit of 5 appends per minute, when one token appends 6 times
    const statuses: number[] = [];
    let limited: HttpResponse | undefined;
    for (let n = 0; n < 6; n += 1) {
      const response = await jsonRequest(server.url, 'POST', EVENTS, {
        token: TOKENS.recorder2,
        body: validEvent(PAIR, n),
      });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    // Then the sixth is refused with a problem document and a Retry-After in seconds
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    if (limited === undefined) throw new Error('no 429');
    expect(problemOf(limited).type).toBe('/problems/rate-limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);

    // And another token still appends, and reads are not limited
    const other = await jsonRequest(server.url, 'POST', EVENTS, {
      token: TOKENS.recorder,
      body: validEvent(PAIR, 10),
    });
    expect(other.status).toBe(201);
    for (let i = 0; i < 10; i += 1) {
      expect(
        (await httpRequest(server.url, { method: 'GET', path: `/api/relations/${PAIR}/state` })).status,
      ).toBe(200);
    }
  });
});

describe('the generated admin token when API_TOKENS is unset', () => {
  let dir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-tokens-'));
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is printed once, kept only as a hash in a mode 0600 file, and works across restarts', async () => {
    // Given a first start without API_TOKENS
    server = await ServerProcess.start({ dbFile: join(dir, 'relations.db'), env: { API_TOKENS: undefined } });
    const token = /shown only now[^\n]*\n\s*\n\s*(\S+)/.exec(server.log)?.[1];
    expect(token).toBeDefined();
    if (token === undefined) return;

    // Then the token file holds no plaintext token and only its owner may read it
    const files = readdirSync(dir).filter((name) => name.includes('token'));
    expect(files).toEqual(['tokens.json']);
    const file = join(dir, 'tokens.json');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const stored = readFileSync(file, 'utf8');
    expect(stored.includes(token)).toBe(false);

    // And the token appends, a wrong one does not
    const ok = await jsonRequest(server.url, 'POST', EVENTS, { token, body: validEvent(PAIR, 0) });
    expect(ok.status).toBe(201);
    const wrong = await jsonRequest(server.url, 'POST', EVENTS, {
      token: `${token}x`,
      body: validEvent(PAIR, 1),
    });
    expect(wrong.status).toBe(401);

    // And after a restart no new token is printed and the same one still works
    await server.stop('SIGTERM');
    server = await ServerProcess.start({ dbFile: join(dir, 'relations.db'), env: { API_TOKENS: undefined } });
    expect(server.log).not.toMatch(/shown only now/);
    const again = await jsonRequest(server.url, 'POST', EVENTS, { token, body: validEvent(PAIR, 2) });
    expect(again.status).toBe(201);
    expect(readFileSync(file, 'utf8').includes(token)).toBe(false);
  }, 120_000);
});
