import { bearer, startServer, talksEvent, TOKENS, type TestServer } from '../support/http';

const EVENTS = '/api/relations/JPN-KOR/events';

describe('concurrent appends to one pair', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ WRITE_RATE_LIMIT: '10000' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('lets exactly one of 20 simultaneous appends with the same If-Match through, the rest get 412', async () => {
    await server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(0)).expect(201);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server
          .http()
          .post(EVENTS)
          .set(bearer(TOKENS.recorder))
          .set('If-Match', '"0"')
          .send(talksEvent(i + 1)),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    for (const r of responses.filter((r) => r.status === 412)) {
      expect(r.body).toMatchObject({ type: '/problems/revision-mismatch', currentRevision: 1 });
    }
  });

  it('stores all of 50 simultaneous appends without If-Match as revisions 0..49 with a valid chain', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.http().post(EVENTS).set(bearer(TOKENS.recorder)).send(talksEvent(i)),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const revisions = responses.map((r) => r.body.events[0].revision as number).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const verify = await server.http().get('/api/relations/JPN-KOR/audit/verify').expect(200);
    expect(verify.body).toEqual({ valid: true, checked: 50 });
  });

  it('appends to different pairs concurrently without mixing their chains', async () => {
    const pairs = ['JPN-KOR', 'CHN-USA', 'FRA-DEU'];
    const responses = await Promise.all(
      pairs.flatMap((pair) =>
        Array.from({ length: 10 }, (_, i) =>
          server
            .http()
            .post(`/api/relations/${pair}/events`)
            .set(bearer(TOKENS.recorder))
            .send(talksEvent(i, { actor: pair.slice(0, 3) })),
        ),
      ),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    for (const pair of pairs) {
      const verify = await server.http().get(`/api/relations/${pair}/audit/verify`).expect(200);
      expect(verify.body).toEqual({ valid: true, checked: 10 });
    }
  });
});
