import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, StoreUnavailableError, type EventStore } from '../../src/store/event-store.port';
import { SeedService } from '../../src/seed/seed.service';
import { ensureBuild } from '../support/build';
import { bearer, startServer, talksEvent, TOKENS, type TestServer } from '../support/http';
import { freePort, runServerToExit, startServerProcess } from '../support/http-process';

describe('operations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers /health with the store kind', async () => {
    const response = await server.http().get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('exposes Prometheus metrics: requests by route, appends, store latency, cache, process', async () => {
    await server
      .http()
      .post('/api/relations/JPN-KOR/events')
      .set(bearer(TOKENS.recorder))
      .send(talksEvent(1))
      .expect(201);
    await server.http().get('/api/relations/JPN-KOR/state').expect(200);
    const response = await server.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(
      /relations_http_requests_total\{method="GET",route="\/api\/relations\/:pair\/state",status="200"\} 1/,
    );
    expect(response.text).toMatch(/relations_http_request_duration_seconds_bucket\{/);
    expect(response.text).toMatch(/relations_appended_events_total\{source="http"\} 1/);
    expect(response.text).toMatch(/relations_store_operation_duration_seconds_count\{operation="append"\} 1/);
    expect(response.text).toContain('relations_read_model_cache_misses_total');
    expect(response.text).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI 3 document whose event schemas come from the validation classes, and its page', async () => {
    const response = await server.http().get('/api/openapi.json').expect(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/api/relations/{pair}/events', '/api/relations/{pair}/state', '/health']),
    );
    expect(response.body.components.schemas.EventEnvelopeSchema).toBeDefined();
    const page = await server.http().get('/api/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger');
  });

  it('honours an incoming X-Request-Id and makes one up otherwise', async () => {
    const given = await server.http().get('/health').set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const made = await server.http().get('/health').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends secure headers with a CSP limited to the page itself', async () => {
    const response = await server.http().get('/health').expect(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('answers a request head over 16 KiB with a 431 problem document', async () => {
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/health`,
        { headers: { 'X-Padding': 'a'.repeat(20_000) }, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
  });

  it('answers an unknown route with a 404 problem document', async () => {
    const response = await server.http().get('/api/nothing-here').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: '/problems/not-found',
      status: 404,
      instance: '/api/nothing-here',
    });
  });
});

describe('the built web page', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The page is what `npm run build` makes of src/web; the server serves it when dist/web exists.
    ensureBuild();
    server = await startServer();
  }, 240_000);
  afterAll(async () => {
    await server.close();
  });

  it('is served at / while /api, /health and /metrics keep their routes', async () => {
    const page = await server.http().get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<html/i);
    await server.http().get('/api/relations').expect(200).expect('Content-Type', /json/);
    await server.http().get('/health').expect(200).expect('Content-Type', /json/);
    await server
      .http()
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /^text\/plain/);
  });
});

describe('store failures, shutdown and read access', () => {
  it('finishes a request in flight before closing the store on shutdown', async () => {
    const server = await startServer();
    const store = server.app.get<EventStore>(EVENT_STORE);
    const append = store.append.bind(store);
    const closeStore = jest.spyOn(store, 'close');
    jest.spyOn(store, 'append').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(closeStore).not.toHaveBeenCalled();
      return append(...args);
    });
    const inFlight = server
      .http()
      .post('/api/relations/JPN-KOR/events')
      .set(bearer(TOKENS.recorder))
      .send(talksEvent(1));
    const answered = inFlight.then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.close();
    const response = await answered;
    expect(response.status).toBe(201);
    await closing;
    expect(closeStore).toHaveBeenCalled();
  });

  it('ends open live streams on shutdown, so the server stops', async () => {
    const server = await startServer();
    const ended = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/live`, (res) => {
        res.on('data', () => undefined);
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    await ended;
  });

  it('answers 503 store-unavailable on /health when the store does not answer', async () => {
    const server = await startServer();
    try {
      const store = server.app.get<EventStore>(EVENT_STORE);
      const spy = jest.spyOn(store, 'ping').mockRejectedValue(new StoreUnavailableError('gone'));
      const response = await server.http().get('/health');
      expect(response.status).toBe(503);
      expect(response.body.type).toBe('/problems/store-unavailable');
      spy.mockRestore();
    } finally {
      await server.close();
    }
  });

  it('answers 503 to a read and to an append while the store is unreachable, and stores nothing', async () => {
    const server = await startServer();
    try {
      const store = server.app.get<EventStore>(EVENT_STORE);
      const read = jest.spyOn(store, 'readStream').mockRejectedValue(new StoreUnavailableError('disk gone'));
      const state = await server.http().get('/api/relations/CHN-USA/state');
      expect(state.status).toBe(503);
      expect(state.body.type).toBe('/problems/store-unavailable');
      const append = await server
        .http()
        .post('/api/relations/CHN-USA/events')
        .set(bearer(TOKENS.recorder))
        .send(talksEvent(1, { actor: 'USA' }));
      expect(append.status).toBe(503);
      read.mockRestore();
      await server.http().get('/api/relations/CHN-USA/state').expect(404);
    } finally {
      await server.close();
    }
  });

  it('answers 500 internal without any detail of an unexpected fault', async () => {
    const server = await startServer();
    try {
      const store = server.app.get<EventStore>(EVENT_STORE);
      const spy = jest
        .spyOn(store, 'listStreams')
        .mockRejectedValue(new TypeError('Cannot read properties of undefined at /work/secret/path.ts:12'));
      const response = await server.http().get('/api/relations');
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        type: '/problems/internal',
        title: 'Internal error',
        status: 500,
        detail: 'The service failed to answer this request',
        instance: '/api/relations',
      });
      spy.mockRestore();
    } finally {
      await server.close();
    }
  });

  it('keeps the read-model cache within READ_MODEL_CACHE_MB and shows its size on /metrics', async () => {
    // 8 MiB holds 2,500 events: one of these pairs of 1,600, not both.
    const server = await startServer({ READ_MODEL_CACHE_MB: '8' });
    const gauge = async (name: string): Promise<number> => {
      const text = (await server.http().get('/metrics').expect(200)).text;
      const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
      if (match === null) throw new Error(`${name} is not on /metrics`);
      return Number(match[1]);
    };
    try {
      expect(await gauge('relations_read_model_cache_max_events')).toBe(2500);
      expect(await gauge('relations_read_model_cache_max_checkpoint_slots')).toBe(187_500);
      for (const pair of ['JPN-KOR', 'CHN-JPN']) {
        for (let batch = 0; batch < 2; batch++) {
          const events = Array.from({ length: 800 }, (_, i) => talksEvent(batch * 800 + i));
          await server
            .http()
            .post(`/api/relations/${pair}/events`)
            .set(bearer(TOKENS.recorder))
            .send(events)
            .expect(201);
        }
      }
      await server.http().get('/api/relations/JPN-KOR/state').expect(200);
      expect(await gauge('relations_read_model_cached_pairs')).toBe(1);
      expect(await gauge('relations_read_model_cached_events')).toBe(1600);
      const answer = await server.http().get('/api/relations/CHN-JPN/state').expect(200);
      expect(answer.body.talks.count).toBe(1600);
      // The pair asked first made room for the second.
      expect(await gauge('relations_read_model_cached_pairs')).toBe(1);
      expect(await gauge('relations_read_model_cached_events')).toBe(1600);
      expect(await gauge('relations_read_model_checkpoint_slots')).toBeGreaterThanOrEqual(0);
    } finally {
      await server.close();
    }
  });

  it('needs a token for reads when READ_ACCESS=token', async () => {
    const server = await startServer({ READ_ACCESS: 'token' });
    try {
      const anonymous = await server.http().get('/api/relations');
      expect(anonymous.status).toBe(401);
      await server.http().get('/api/relations').set(bearer(TOKENS.reader)).expect(200);
      await server.http().get('/health').expect(200);
    } finally {
      await server.close();
    }
  });
});

describe('seeding', () => {
  it('loads an NDJSON file named by SEED into an empty store once, as system:seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relations-seed-'));
    const file = join(dir, 'seed.ndjson');
    writeFileSync(file, `${JSON.stringify({ pair: 'usa-chn', ...talksEvent(1, { actor: 'USA' }) })}\n`);
    const server = await startServer({ SEED: file });
    try {
      const seed = server.app.get(SeedService);
      expect((await seed.seedIfEmpty()).map((s) => [s.pair, s.stored])).toEqual([['CHN-USA', 1]]);
      expect(await seed.seedIfEmpty()).toEqual([]);
      const audit = await server.http().get('/api/relations/CHN-USA/audit').expect(200);
      expect(audit.body.entries.map((e: { recordedBy: string }) => e.recordedBy)).toEqual(['system:seed']);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the start naming the bad lines of a SEED file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relations-seed-'));
    const file = join(dir, 'seed.ndjson');
    writeFileSync(file, 'not json\n');
    const server = await startServer({ SEED: file });
    try {
      await expect(server.app.get(SeedService).seedIfEmpty()).rejects.toThrow(
        /line 1: \(line\) not valid JSON/,
      );
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('starting the real server', () => {
  it('refuses to start on invalid configuration, listing every problem in one message', () => {
    const result = runServerToExit({
      PORT: 'eighty',
      EVENT_STORE: 'postgres://nope',
      READ_ACCESS: 'everyone',
      LOG_LEVEL: 'loud',
      API_TOKENS: 'alice:boss:secret-token-1',
      WRITE_RATE_LIMIT: '0',
      READ_MODEL_CACHE_MB: '2',
    });
    expect(result.status).not.toBe(0);
    for (const name of [
      'PORT',
      'EVENT_STORE',
      'READ_ACCESS',
      'LOG_LEVEL',
      'API_TOKENS',
      'WRITE_RATE_LIMIT',
      'READ_MODEL_CACHE_MB',
    ]) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr.match(/invalid configuration/g)).toHaveLength(1);
  });

  it('creates one admin token on first start, keeps only its hash with mode 0600, and accepts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relations-start-'));
    const port = await freePort();
    const env = {
      EVENT_STORE: `sqlite:${join(dir, 'relations.db')}`,
      SEED: 'bundled',
      LOG_LEVEL: 'warn',
      API_TOKENS: '',
    };
    const server = await startServerProcess(env, port, dir);
    try {
      const token = /\n\n {2}(rel_[A-Za-z0-9_-]+)\n/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      const file = join(dir, 'tokens.json');
      expect(server.output()).toContain(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toContain(token);
      const seeded = (await (await fetch(`${server.url}/api/relations`)).json()) as { relations: unknown[] };
      expect(seeded.relations).toHaveLength(1);
      const refused = await fetch(`${server.url}/api/relations/CHN-USA/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(talksEvent(1, { actor: 'USA' })),
      });
      expect(refused.status).toBe(401);
      const accepted = await fetch(`${server.url}/api/relations/CHN-USA/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(talksEvent(1, { actor: 'USA' })),
      });
      expect(accepted.status).toBe(201);
      expect(((await accepted.json()) as { events: unknown[] }).events).toHaveLength(1);
    } finally {
      const ended = await server.stop();
      // Nest closes HTTP, then the store, then re-raises SIGTERM: no crash, no error exit code.
      expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
      expect(server.output()).not.toMatch(/failed|Error/);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
