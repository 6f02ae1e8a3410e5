import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { httpRequest, json } from '../reliability/http-client';
import { bearer, jpnKorEvent, startServer, talksEvent, TOKENS, type TestServer } from '../support/http';

const EVENTS = '/api/relations/JPN-KOR/events';
const UUID = '6f1c0d52-8a3e-4c7b-9f21-3b5d7e9a1c04';
const UUID2 = '9a2e4b61-3c5d-4e7f-8a9b-0c1d2e3f4a5b';

describe('POST /api/relations/{pair}/events', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate: Bearer when no token is given', async () => {
      const response = await server.http().post(EVENTS).send(jpnKorEvent());
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ type: '/problems/unauthorized', status: 401, instance: EVENTS });
    });

    it('answers 401 for an unknown token', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer('no-such-token-at-all'))
        .send(jpnKorEvent());
      expect(response.status).toBe(401);
      expect(response.body.type).toBe('/problems/unauthorized');
    });

    it("answers 403 to a reader's token", async () => {
      const response = await server.http().post(EVENTS).set(bearer(TOKENS.reader)).send(jpnKorEvent());
      expect(response.status).toBe(403);
      expect(response.body.type).toBe('/problems/forbidden');
    });

    it('records the token name as recordedBy, whatever the body says', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(jpnKorEvent({ recordedBy: 'mallory' }));
      // recordedBy is server-set: the schema refuses it in a body rather than silently dropping it.
      if (response.status === 400) {
        expect(response.body.errors.some((e: { path: string }) => e.path.includes('recordedBy'))).toBe(true);
        await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(jpnKorEvent()).expect(201);
      } else {
        expect(response.status).toBe(201);
      }
      const audit = await server.http().get('/api/relations/JPN-KOR/audit').expect(200);
      expect(audit.body.entries.map((e: { recordedBy: string }) => e.recordedBy)).toEqual(['rita']);
    });
  });

  describe('a stored append', () => {
    it('answers 201 with the revision, ids, hashes, ETag and Location', async () => {
      const response = await server
        .http()
        .post('/api/relations/kor-jpn/events')
        .set(bearer(TOKENS.recorder))
        .send(jpnKorEvent({ id: UUID }));
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"0"');
      expect(response.headers.location).toBe(`/api/relations/JPN-KOR/events/${UUID}`);
      expect(response.body).toMatchObject({ pair: 'JPN-KOR', revision: 0, warnings: [] });
      expect(response.body.events).toEqual([
        {
          id: UUID,
          revision: 0,
          recordedAt: '2026-11-28T10:00:00.000Z',
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
    });

    it('stores an array of events atomically with consecutive revisions', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([talksEvent(1), talksEvent(2), talksEvent(3)]);
      expect(response.status).toBe(201);
      expect(response.headers.etag).toBe('"2"');
      expect(response.body.events.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2]);
    });

    it('never records an event earlier than the previous one, even when the clock goes back', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
      server.clock.set('2020-01-01T00:00:00.000Z');
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(2))
        .expect(201);
      expect(response.body.events[0].recordedAt).toBe('2026-11-28T10:00:00.000Z');
    });

    it('shows the new revision in the list of relations right after an append', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
      const before = await server.http().get('/api/relations').expect(200);
      expect(before.body.relations[0]).toMatchObject({ pair: 'JPN-KOR', revision: 0, eventCount: 1 });
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(2, { date: '2020-03-10' }))
        .expect(201);
      const after = await server.http().get('/api/relations').expect(200);
      expect(after.body.relations[0]).toMatchObject({ revision: 1, eventCount: 2, lastDate: '2020-03-10' });
    });

    it('warns of a possible duplicate but keeps the event', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(jpnKorEvent()).expect(201);
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(jpnKorEvent({ summary: 'Another report of the same tightening' }))
        .expect(201);
      expect(response.body.revision).toBe(1);
      expect(response.body.warnings).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 'possible-duplicate' })]),
      );
    });
  });

  describe('validation', () => {
    it('reports every problem of every event, with [i]. paths, and stores nothing', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([talksEvent(1), jpnKorEvent({ date: '2019-02-30', actor: 'CHN' }), { type: 'nope' }]);
      expect(response.status).toBe(400);
      expect(response.body.type).toBe('/problems/validation-failed');
      const paths: string[] = response.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['[1].date', '[1].actor']));
      expect(paths.some((p) => p.startsWith('[2]'))).toBe(true);
      expect(paths.some((p) => p.startsWith('[0]'))).toBe(false);
      await server.http().get('/api/relations/JPN-KOR/state').expect(404);
    });

    it('answers 400 invalid-pair for a country paired with itself or an unknown code', async () => {
      for (const pair of ['JPN-JPN', 'JPN-XXX', 'japan']) {
        const response = await server
          .http()
          .post(`/api/relations/${pair}/events`)
          .set(bearer(TOKENS.recorder))
          .send(jpnKorEvent());
        expect(response.status).toBe(400);
        expect(response.body.type).toBe('/problems/invalid-pair');
      }
    });

    it('answers 400 for malformed JSON', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('Content-Type', 'application/json')
        .send('{"type": ');
      expect(response.status).toBe(400);
      expect(response.body.type).toBe('/problems/validation-failed');
    });

    it('answers 400 for a body whose Content-Encoding does not match it, and 415 for an unknown encoding', async () => {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const response = await server
          .http()
          .post(EVENTS)
          .set(bearer(TOKENS.recorder))
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .send(JSON.stringify(talksEvent(1)));
        expect(response.status).toBe(400);
        expect(response.body.type).toBe('/problems/validation-failed');
      }
      const unknown = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'compress')
        .send(JSON.stringify(talksEvent(1)));
      expect(unknown.status).toBe(415);
    });

    it('decodes gzip, deflate and br bodies, and applies the 1 MiB limit to the decoded body', async () => {
      const post = (encoding: string, body: Buffer) =>
        httpRequest(server.url, {
          method: 'POST',
          path: EVENTS,
          headers: {
            ...bearer(TOKENS.recorder),
            'Content-Type': 'application/json',
            'Content-Encoding': encoding,
          },
          body,
        });
      const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
      let n = 0;
      for (const [encoding, encode] of Object.entries(encoders)) {
        n++;
        const response = await post(encoding, encode(Buffer.from(JSON.stringify(talksEvent(n)))));
        expect({ encoding, status: response.status }).toEqual({ encoding, status: 201 });
      }
      // 2 MiB of spaces before an event: a few kilobytes on the wire, over the limit once decoded.
      const padded = `${' '.repeat(2 * 1024 * 1024)}${JSON.stringify(talksEvent(9))}`;
      const bomb = await post('gzip', gzipSync(Buffer.from(padded)));
      expect(bomb.status).toBe(413);
      expect(json<{ type: string }>(bomb).type).toBe('/problems/payload-too-large');
      const stored = await server.http().get('/api/relations/JPN-KOR/events').expect(200);
      expect(stored.body.events.map((event: { summary: string }) => event.summary)).toEqual(
        [1, 2, 3].map((i) => talksEvent(i).summary),
      );
    });

    it('answers 415 for a body that is not JSON', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('Content-Type', 'text/plain')
        .send('type=court-ruling');
      expect(response.status).toBe(415);
      expect(response.body.type).toBe('/problems/unsupported-media-type');
    });

    it('answers 413 for more than 1000 events', async () => {
      const events = Array.from({ length: 1001 }, (_, i) => talksEvent(i, { summary: `t${i}` }));
      const response = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(events);
      expect(response.status).toBe(413);
      expect(response.body.type).toBe('/problems/payload-too-large');
    });

    it('answers 413 for a body over 1 MiB', async () => {
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(jpnKorEvent({ note: 'x'.repeat(1024 * 1024 + 10) }));
      expect(response.status).toBe(413);
      expect(response.body.type).toBe('/problems/payload-too-large');
    });
  });

  describe('optimistic concurrency', () => {
    it('appends with If-Match equal to the revision and answers 412 with currentRevision otherwise', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('If-Match', '"0"')
        .send(talksEvent(2))
        .expect(201);
      const stale = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('If-Match', '"0"')
        .send(talksEvent(3));
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ type: '/problems/revision-mismatch', currentRevision: 1 });
    });

    it('appends with If-None-Match: * only to a pair with no events', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('If-None-Match', '*')
        .send(talksEvent(1))
        .expect(201);
      const second = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .set('If-None-Match', '*')
        .send(talksEvent(2));
      expect(second.status).toBe(412);
      expect(second.body.currentRevision).toBe(0);
    });
  });

  describe('idempotency', () => {
    it('answers a retry with 200 and the original result, storing nothing', async () => {
      const body = [talksEvent(1, { id: UUID }), talksEvent(2, { id: UUID2 })];
      const first = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(body).expect(201);
      server.clock.advance(60_000);
      const retry = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(body);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      const audit = await server.http().get('/api/relations/JPN-KOR/audit').expect(200);
      expect(audit.body.entries).toHaveLength(2);
    });

    it('answers a retry of a conditional append whose response was lost with 200, not 412', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(0)).expect(201);
      const request = () =>
        server
          .http()
          .post(EVENTS)
          .set(bearer(TOKENS.recorder))
          .set('If-Match', '"0"')
          .send(talksEvent(1, { id: UUID }));
      const first = await request();
      expect(first.status).toBe(201);
      const retry = await request();
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.etag).toBe('"1"');
    });

    it('answers 409 event-id-conflict for an id stored with other content', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID }))
        .expect(201);
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID, summary: 'Different words' }));
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ type: '/problems/event-id-conflict', eventId: UUID });
    });

    it('answers 409 for an id already used in another pair', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID }))
        .expect(201);
      const response = await server
        .http()
        .post('/api/relations/CHN-USA/events')
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID, actor: 'USA' }));
      expect(response.status).toBe(409);
      expect(response.body.eventId).toBe(UUID);
    });

    it('answers 409 for a request mixing stored and new ids', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID }))
        .expect(201);
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([talksEvent(1, { id: UUID }), talksEvent(2, { id: UUID2 })]);
      expect(response.status).toBe(409);
      expect(response.body.eventId).toBe(UUID);
    });
  });

  describe('references', () => {
    const retract = (eventId: string, extra: Record<string, unknown> = {}) => ({
      type: 'event-retracted',
      summary: 'Retracted: wrong date',
      data: { eventId, reason: 'recorded twice' },
      ...extra,
    });

    it('answers 422 for a retraction of an unknown event', async () => {
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(1)).expect(201);
      const response = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(retract(UUID));
      expect(response.status).toBe(422);
      expect(response.body.type).toBe('/problems/invalid-reference');
    });

    it('answers 422 for a retraction of an event of another pair', async () => {
      await server
        .http()
        .post('/api/relations/CHN-USA/events')
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID, actor: 'USA' }))
        .expect(201);
      const response = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(retract(UUID));
      expect(response.status).toBe(422);
    });

    it('answers 422 for retracting an event already retracted, or a retraction itself, also within one batch', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID }))
        .expect(201);
      const response = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([retract(UUID, { id: UUID2 }), retract(UUID, { summary: 'again' })]);
      expect(response.status).toBe(422);
      const ofRetraction = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([retract(UUID, { id: UUID2 }), retract(UUID2, { summary: 'again' })]);
      expect(ofRetraction.status).toBe(422);
      const audit = await server.http().get('/api/relations/JPN-KOR/audit').expect(200);
      expect(audit.body.entries).toHaveLength(1);
    });

    it('answers 422 for correcting a correction, and accepts correcting an event of the same batch', async () => {
      const correct = (eventId: string, id?: string) => ({
        ...(id === undefined ? {} : { id }),
        type: 'event-corrected',
        summary: 'Corrected date',
        data: { eventId, changes: { date: '2019-12-17' }, reason: 'the talks ran over two days' },
      });
      const batch = await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send([talksEvent(1, { id: UUID }), correct(UUID, UUID2)]);
      expect(batch.status).toBe(201);
      const ofCorrection = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(correct(UUID2));
      expect(ofCorrection.status).toBe(422);
      expect(ofCorrection.body.type).toBe('/problems/invalid-reference');
      const view = await server.http().get(`${EVENTS}/${UUID}`).expect(200);
      expect(view.body.correctedBy).toEqual([UUID2]);
      expect(view.body.effective.date).toBe('2019-12-17');
    });

    it('stores a valid retraction', async () => {
      await server
        .http()
        .post(EVENTS)
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { id: UUID }))
        .expect(201);
      await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(retract(UUID)).expect(201);
    });
  });

  describe('rate limit', () => {
    it('answers 429 rate-limited with Retry-After once a token used its appends for the minute', async () => {
      await server.close();
      server = await startServer({ WRITE_RATE_LIMIT: '3' });
      for (let i = 0; i < 3; i++) {
        await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(i)).expect(201);
      }
      const limited = await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(9));
      expect(limited.status).toBe(429);
      expect(limited.body.type).toBe('/problems/rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another token has its own budget.
      await server.http().post(EVENTS).set(bearer(TOKENS.other)).send(talksEvent(10)).expect(201);
    });
  });
});
