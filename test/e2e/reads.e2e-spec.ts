import Database from 'better-sqlite3';
import { join } from 'node:path';
import { request as httpRequest, ServerResponse, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Socket } from 'node:net';
import { SeedService } from '../../src/seed/seed.service';
import { bearer, CLOCK_START, startServer, talksEvent, TOKENS, type TestServer } from '../support/http';

const PAIR = '/api/relations/JPN-KOR';

/** Opens an SSE stream and collects messages until `count` arrived. */
function collectSse(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): { messages: Promise<{ id: string; event: string; data: unknown }[]>; close: () => void } {
  let close = () => undefined as void;
  const messages = new Promise<{ id: string; event: string; data: unknown }[]>((resolve, reject) => {
    const found: { id: string; event: string; data: unknown }[] = [];
    const req = httpRequest(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(': '))
              .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
          );
          if (fields.data !== undefined) {
            found.push({ id: fields.id ?? '', event: fields.event ?? '', data: JSON.parse(fields.data) });
            if (found.length === count) {
              req.destroy();
              resolve(found);
            }
          }
        }
      });
    });
    req.on('error', (error) => {
      if (found.length < count) reject(error);
    });
    req.end();
    close = () => req.destroy();
  });
  return { messages, close };
}

describe('reading the bundled Japan–Korea record', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SEED: 'bundled' });
    await server.app.get(SeedService).seedIfEmpty();
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the pair with its countries, revision, count and dates', async () => {
    const response = await server.http().get('/api/relations').expect(200);
    expect(response.body.relations).toHaveLength(1);
    const relation = response.body.relations[0];
    expect(relation).toMatchObject({
      pair: 'JPN-KOR',
      countries: [
        { code: 'JPN', name: 'Japan' },
        { code: 'KOR', name: expect.stringContaining('Korea') },
      ],
      firstDate: '1965-06-22',
      lastRecordedAt: expect.any(String),
    });
    expect(relation.eventCount).toBe(relation.revision + 1);
    expect(relation.eventCount).toBeGreaterThanOrEqual(40);
  });

  it("reports Korea removed from Japan's preferential list from 2019-08-28, as of 2019-09-30", async () => {
    const response = await server.http().get(`/api/relations/kor-jpn/state?asOf=2019-09-30`).expect(200);
    expect(response.body).toMatchObject({ pair: 'JPN-KOR', asOf: '2019-09-30' });
    expect(response.body.measures.JPN.preferentialList).toMatchObject({
      status: 'removed',
      since: '2019-08-28',
    });
    expect(response.body.measures.JPN.exportControls[0].measureId).toBe(
      'jpn-kor-semiconductor-materials-2019',
    );
    expect(response.body.disputes[0]).toMatchObject({ disputeId: 'DS590', stage: 'consultations' });
  });

  it('defaults asOf to today and knownAt to now, from the clock', async () => {
    const response = await server.http().get(`${PAIR}/state`).expect(200);
    expect(response.body.asOf).toBe(CLOCK_START.slice(0, 10));
    expect(Date.parse(response.body.knownAt)).toBeGreaterThanOrEqual(Date.parse(CLOCK_START));
  });

  it('knows nothing as known before the first recording', async () => {
    const response = await server
      .http()
      .get(`${PAIR}/state?asOf=2019-09-30&knownAt=2000-01-01T00:00:00Z`)
      .expect(200);
    expect(response.body.revision).toBe(-1);
  });

  it('answers 400 invalid-query naming the parameter for bad dates and instants', async () => {
    for (const [query, parameter] of [
      ['asOf=2019-02-30', 'asOf'],
      ['asOf=2019-13', 'asOf'],
      ['asOf=%2B002019-01-01', 'asOf'],
      ['knownAt=yesterday', 'knownAt'],
      ['knownAt=2019-09-30T10:00:00', 'knownAt'],
    ]) {
      const response = await server.http().get(`${PAIR}/state?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ type: '/problems/invalid-query', parameter });
    }
  });

  it('answers 404 relation-not-found for a pair with no events, and 400 invalid-pair for a bad one', async () => {
    const missing = await server.http().get('/api/relations/CHN-USA/state');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('/problems/relation-not-found');
    const bad = await server.http().get('/api/relations/JPN-ZZZ/state');
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('/problems/invalid-pair');
  });

  it('pages the timeline with an opaque cursor and filters by type', async () => {
    const first = await server.http().get(`${PAIR}/events?limit=10`).expect(200);
    expect(first.body.events).toHaveLength(10);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server
      .http()
      .get(`${PAIR}/events?limit=10&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body.events[0].id).not.toBe(first.body.events[0].id);
    const all = await server.http().get(`${PAIR}/events`).expect(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.events.slice(10, 20)).toEqual(second.body.events);
    const talks = await server.http().get(`${PAIR}/events?type=talks-held&type=court-ruling`).expect(200);
    expect(new Set(talks.body.events.map((e: { type: string }) => e.type))).toEqual(
      new Set(['talks-held', 'court-ruling']),
    );
    const ranged = await server.http().get(`${PAIR}/events?from=2019-08&to=2019-08`).expect(200);
    expect(ranged.body.events.every((e: { date: string }) => e.date.startsWith('2019-08'))).toBe(true);
  });

  it('refuses a forged cursor, a bad limit and an unknown type with invalid-query', async () => {
    for (const [query, parameter] of [
      ['cursor=not-a-cursor!', 'cursor'],
      [`cursor=${Buffer.from('{"o":-1}').toString('base64url')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['type=invented', 'type'],
    ]) {
      const response = await server.http().get(`${PAIR}/events?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.parameter).toBe(parameter);
    }
  });

  it('shows one event as recorded and effective, and 404 for an unknown id', async () => {
    const timeline = await server.http().get(`${PAIR}/events?limit=1`).expect(200);
    const id: string = timeline.body.events[0].id;
    const view = await server.http().get(`${PAIR}/events/${id}`).expect(200);
    expect(view.body).toMatchObject({
      pair: 'JPN-KOR',
      recorded: { id },
      correctedBy: [],
      retractedBy: null,
    });
    const missing = await server.http().get(`${PAIR}/events/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('/problems/not-found');
  });

  it('gives monthly snapshots and snapshots at listed dates, refusing more than 1000 points', async () => {
    const series = await server
      .http()
      .get(`${PAIR}/snapshots?from=2019-06-01&to=2019-12-01&every=month`)
      .expect(200);
    expect(series.body.snapshots.map((s: { date: string }) => s.date)).toEqual([
      '2019-06-01',
      '2019-07-01',
      '2019-08-01',
      '2019-09-01',
      '2019-10-01',
      '2019-11-01',
      '2019-12-01',
    ]);
    expect(series.body.snapshots[0].state.measures.JPN.preferentialList.status).toBe('unknown');
    expect(series.body.snapshots[4].state.measures.JPN.preferentialList.status).toBe('removed');
    const listed = await server.http().get(`${PAIR}/snapshots?dates=2019-09-30,2023-12-31`).expect(200);
    expect(listed.body.snapshots).toHaveLength(2);
    const tooMany = await server.http().get(`${PAIR}/snapshots?from=1900-01-01&to=2025-01-01&every=day`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.parameter).toBe('every');
    const noFrom = await server.http().get(`${PAIR}/snapshots?every=month`);
    expect(noFrom.status).toBe(400);
  });

  it('sends a series of several megabytes whole, each point the state at its date', async () => {
    // 1,000 daily points over the trade dispute: more than one piece of the writer, so chunked
    const knownAt = new Date(Date.parse(CLOCK_START) + 3_600_000).toISOString();
    const query = `from=2019-01-01&to=2021-09-26&every=day&knownAt=${knownAt}`;
    // As they are written (supertest would otherwise ask for them compressed)
    const series = await server
      .http()
      .get(`${PAIR}/snapshots?${query}`)
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(series.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(series.headers['transfer-encoding']).toBe('chunked');
    expect(series.text.length).toBeGreaterThan(1024 * 1024);
    const points = series.body.snapshots as Array<{ date: string; state: unknown }>;
    expect(points).toHaveLength(1000);
    for (const index of [0, 200, 576, 999]) {
      const { date, state } = points[index]!;
      const alone = await server.http().get(`${PAIR}/state?asOf=${date}&knownAt=${knownAt}`).expect(200);
      expect(state).toEqual(alone.body);
    }
    // And a state answer, one piece, goes with its length
    const one = await server
      .http()
      .get(`${PAIR}/state?asOf=2019-09-30`)
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(Number(one.headers['content-length'])).toBe(Buffer.byteLength(one.text));
  });

  it('hands a large answer to its socket piece by piece as it is written, not all at its end', async () => {
    // Counts the writes each of this server's connections hands to the operating system, and for
    // each answer how many its connection had been handed when the answer ended.
    type Write = (this: Socket, ...args: unknown[]) => unknown;
    const socket = Socket.prototype as unknown as { _write: Write; _writev: Write };
    const { _write, _writev } = socket;
    const { end } = ServerResponse.prototype;
    const writes = new WeakMap<Socket, number>();
    const handedBeforeEnd: number[] = [];
    const counted = (original: Write): Write =>
      function (this: Socket, ...args: unknown[]) {
        if ((this as { server?: unknown }).server !== undefined)
          writes.set(this, (writes.get(this) ?? 0) + 1);
        return original.apply(this, args);
      };
    socket._write = counted(_write);
    socket._writev = counted(_writev);
    ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
      handedBeforeEnd.push(writes.get(this.socket as Socket) ?? 0);
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof end;
    // One connection per request, so that each count is one answer's.
    const fetch = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${server.url}${path}`, { agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        });
        req.on('error', reject);
        req.end();
      });
    let series: string;
    let one: string;
    try {
      series = await fetch(`${PAIR}/snapshots?from=2019-01-01&to=2021-09-26&every=day`);
      one = await fetch(`${PAIR}/state?asOf=2019-09-30`);
    } finally {
      socket._write = _write;
      socket._writev = _writev;
      ServerResponse.prototype.end = end;
    }
    expect(JSON.parse(series).snapshots).toHaveLength(1000);
    expect(JSON.parse(one).revision).toBeGreaterThan(0);
    // The series (several pieces) was on its way before its last piece; one state goes whole.
    expect(handedBeforeEnd).toHaveLength(2);
    expect(handedBeforeEnd[0]).toBeGreaterThanOrEqual(1);
    expect(handedBeforeEnd[1]).toBe(0);
  });

  it('compresses answers for a client that asks, the same bytes once decoded', async () => {
    const knownAt = new Date(Date.parse(CLOCK_START) + 3_600_000).toISOString();
    const get = (path: string, encoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers = encoding === undefined ? {} : { 'Accept-Encoding': encoding };
        const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const decoders: Record<string, (body: Buffer) => Buffer> = {
      br: brotliDecompressSync,
      gzip: gunzipSync,
      deflate: inflateSync,
    };
    const cases = [
      // One state (one piece of the writer), a series of 1,000 points (many), the timeline.
      { path: `${PAIR}/state?asOf=2019-09-30&knownAt=${knownAt}`, asks: 'gzip', gets: 'gzip' },
      {
        path: `${PAIR}/snapshots?from=2019-01-01&to=2021-09-26&every=day&knownAt=${knownAt}`,
        asks: 'gzip, deflate, br',
        gets: 'br',
      },
      { path: `${PAIR}/events?knownAt=${knownAt}`, asks: 'deflate', gets: 'deflate' },
      // Codings are case-insensitive.
      { path: `${PAIR}/state?asOf=2019-09-30&knownAt=${knownAt}`, asks: 'BR, GZip;Q=0.5', gets: 'br' },
    ];
    for (const { path, asks, gets } of cases) {
      const plain = await get(path);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const packed = await get(path, asks);
      expect(packed.headers['content-encoding']).toBe(gets);
      expect(packed.headers.vary).toContain('accept-encoding');
      expect(packed.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(decoders[gets]!(packed.body).equals(plain.body)).toBe(true);
      expect(packed.body.length).toBeLessThan(plain.body.length / 2);
    }
    // Exports too, as NDJSON and as CSV.
    for (const format of ['ndjson', 'csv']) {
      const plain = await get(`${PAIR}/export?format=${format}`);
      const packed = await get(`${PAIR}/export?format=${format}`, 'gzip');
      expect(packed.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(packed.body).equals(plain.body)).toBe(true);
    }
    // Refused or unknown encodings, and answers under 1 KiB, go as they are.
    const state = `${PAIR}/state?asOf=2019-09-30&knownAt=${knownAt}`;
    for (const asks of ['identity', 'gzip;q=0, br;q=0', 'GZIP;Q=0, BR;Q=0', 'zstd']) {
      const answer = await get(state, asks);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    }
    const small = await get(`${PAIR}/state?asOf=2019-09-30&fields=index`, 'gzip');
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toHaveProperty('index');
    // The live event stream is never compressed: it would hold events back.
    const live = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/live`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(live['content-type']).toContain('text/event-stream');
    expect(live['content-encoding']).toBeUndefined();
  });

  it('answers only the fields asked for, the same values as the whole state, and refuses unknown ones', async () => {
    const knownAt = new Date(Date.parse(CLOCK_START) + 3_600_000).toISOString();
    const dates = '2019-06-30,2019-09-30,2023-12-31';
    const whole = await server.http().get(`${PAIR}/snapshots?dates=${dates}&knownAt=${knownAt}`).expect(200);
    // Asked out of order and twice: answered once each, in the state's own order
    const some = await server
      .http()
      .get(`${PAIR}/snapshots?dates=${dates}&knownAt=${knownAt}&fields=index,revision&fields=index`)
      .expect(200);
    expect(some.body.pair).toBe(whole.body.pair);
    expect(some.body.knownAt).toBe(knownAt);
    expect(some.body.snapshots).toHaveLength(3);
    whole.body.snapshots.forEach((point: { date: string; state: Record<string, unknown> }, i: number) => {
      expect(some.body.snapshots[i]).toEqual({
        date: point.date,
        state: { revision: point.state.revision, index: point.state.index },
      });
      expect(Object.keys(some.body.snapshots[i].state)).toEqual(['revision', 'index']);
    });
    expect(some.text.length).toBeLessThan(whole.text.length / 10);

    // Every field named gives the whole state; the state route takes the same parameter
    const all = Object.keys(whole.body.snapshots[0].state).join(',');
    const everything = await server
      .http()
      .get(`${PAIR}/snapshots?dates=${dates}&knownAt=${knownAt}&fields=${all}`)
      .expect(200);
    expect(everything.text).toBe(whole.text);
    const state = await server
      .http()
      .get(`${PAIR}/state?asOf=2019-09-30&knownAt=${knownAt}&fields=agreements`)
      .expect(200);
    expect(state.body).toEqual({ agreements: whole.body.snapshots[1].state.agreements });

    for (const fields of ['index,tension', '__proto__', ',', 'constructor']) {
      const refused = await server.http().get(`${PAIR}/state?fields=${encodeURIComponent(fields)}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ type: '/problems/invalid-query', parameter: 'fields' });
    }
    const refused = await server.http().get(`${PAIR}/snapshots?dates=${dates}&fields=indexes`);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('"indexes" is not a field of the state');
  });

  it('pages the audit by revision and verifies the chain', async () => {
    const page = await server.http().get(`${PAIR}/audit?limit=5`).expect(200);
    expect(page.body.entries.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(page.body.entries[0]).toMatchObject({ recordedBy: 'system:seed', prevHash: '0'.repeat(64) });
    expect(page.body.nextRevision).toBe(5);
    const next = await server.http().get(`${PAIR}/audit?fromRevision=5&limit=1`).expect(200);
    expect(next.body.entries[0].prevHash).toBe(page.body.entries[4].hash);
    const verify = await server.http().get(`${PAIR}/audit/verify`).expect(200);
    expect(verify.body).toEqual({ valid: true, checked: expect.any(Number) });
  });

  it('exports NDJSON in the import format and CSV with a header and quoted fields', async () => {
    const ndjson = await server.http().get(`${PAIR}/export`).expect(200);
    expect(ndjson.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = ndjson.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ pair: 'JPN-KOR', id: expect.any(String), type: 'agreement-signed' });
    expect(lines[0]).not.toHaveProperty('hash');
    const csv = await server.http().get(`${PAIR}/export?format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const [header, firstRow] = csv.text.split('\r\n');
    expect(header).toBe(
      'revision,id,type,date,dateEnd,actor,summary,data,sources,note,recordedAt,recordedBy,hash',
    );
    expect(firstRow).toMatch(
      /^0,[0-9a-f-]{36},agreement-signed,1965-06-22,,JPN,[^"]+,"\{""agreementId"":""claims-agreement-1965""/,
    );
    const bad = await server.http().get(`${PAIR}/export?format=xml`);
    expect(bad.status).toBe(400);
  });

  it("summarises a country's relations", async () => {
    const response = await server.http().get('/api/countries/kor/relations?asOf=2019-09-30').expect(200);
    expect(response.body.country).toEqual({ code: 'KOR', name: expect.stringContaining('Korea') });
    expect(response.body.relations[0]).toMatchObject({
      pair: 'JPN-KOR',
      counterpart: { code: 'JPN', name: 'Japan' },
      preferentialList: { faces: 'removed' },
    });
    const bad = await server.http().get('/api/countries/XX1/relations');
    expect(bad.status).toBe(400);
  });
});

describe('what changed, live events and tampering', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('tells what was recorded between two instants that changed the view of a date', async () => {
    await server.http().post(`${PAIR}/events`).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
    const before = new Date(Date.parse(CLOCK_START) + 60_000).toISOString();
    server.clock.set(new Date(Date.parse(CLOCK_START) + 120_000));
    await server
      .http()
      .post(`${PAIR}/events`)
      .set(bearer(TOKENS.recorder))
      .send(talksEvent(2, { date: '2019-12-17' }))
      .expect(201);
    const response = await server.http().get(`${PAIR}/changes?asOf=2019-12-31&since=${before}`).expect(200);
    expect(JSON.stringify(response.body)).toContain('round 2');
    expect(JSON.stringify(response.body)).not.toContain('round 1"');
    const missing = await server.http().get(`${PAIR}/changes?asOf=2019-12-31`);
    expect(missing.status).toBe(400);
    expect(missing.body.parameter).toBe('since');
  });

  it('streams appended events over SSE and resumes after Last-Event-ID', async () => {
    const live = collectSse(`${server.url}/api/live?pair=kor-jpn`, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server
      .http()
      .post('/api/relations/CHN-USA/events')
      .set(bearer(TOKENS.recorder))
      .send(talksEvent(0, { actor: 'USA' }))
      .expect(201);
    await server.http().post(`${PAIR}/events`).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
    await server.http().post(`${PAIR}/events`).set(bearer(TOKENS.recorder)).send(talksEvent(2)).expect(201);
    const messages = await live.messages;
    expect(messages.map((m) => (m.data as { summary: string }).summary)).toEqual([
      'Director-general talks on export controls, round 1',
      'Director-general talks on export controls, round 2',
    ]);
    expect(messages.every((m) => m.event === 'appended' && /^\d+$/.test(m.id))).toBe(true);
    const resumed = collectSse(`${server.url}/api/live`, 1, { 'Last-Event-ID': messages[0]!.id });
    const again = await resumed.messages;
    expect(again[0]!.id).toBe(messages[1]!.id);
  });

  it('names the revision of a row edited directly in the database', async () => {
    await server
      .http()
      .post(`${PAIR}/events`)
      .set(bearer(TOKENS.recorder))
      .send([talksEvent(1), talksEvent(2), talksEvent(3)])
      .expect(201);
    const db = new Database(join(server.dir, 'relations.db'));
    try {
      const row = db.prepare('SELECT position, data FROM events WHERE revision = 1').get() as {
        position: number;
        data: string;
      };
      const data = JSON.parse(row.data) as { summary: string };
      data.summary = 'Talks that never happened';
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), row.position);
    } finally {
      db.close();
    }
    const verify = await server.http().get(`${PAIR}/audit/verify`).expect(200);
    expect(verify.body).toMatchObject({ valid: false, firstInvalidRevision: 1 });
  });
});
