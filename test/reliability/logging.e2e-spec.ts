/**
 * The request log of the real server process (`LOG_LEVEL=info`): one JSON line per finished
 * request, with its id, method, path, status and duration, and no header (so never a token).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validEvent } from './events';
import { httpRequest, jsonRequest } from './http-client';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from './server-process';

const PAIR = 'JPN-KOR';

interface RequestLine {
  level: number;
  msg?: string;
  req?: { id?: string; method?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number };
  responseTime?: number;
}

/** The JSON lines the server printed about the request with this id. */
function linesOf(log: string, id: string): RequestLine[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(id))
    .map((line) => JSON.parse(line) as RequestLine);
}

describe('the request log', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-logging-'));
    server = await ServerProcess.start({ dbFile: join(dir, 'main.db'), env: { LOG_LEVEL: 'info' } });
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the server has printed a line about `id` (its log reaches us through a pipe). */
  async function lineAbout(id: string): Promise<RequestLine[]> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && linesOf(server.log, id).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return linesOf(server.log, id);
  }

  it('writes one line per request with its id, method, path, status and duration, without the token', async () => {
    // When an append carrying a request id is answered
    const appended = await jsonRequest(server.url, 'POST', `/api/relations/${PAIR}/events`, {
      token: TOKENS.recorder,
      body: validEvent(PAIR, 0),
      headers: { 'x-request-id': 'log-test-append-1' },
    });
    expect(appended.status).toBe(201);

    // Then exactly one line tells of it, with the request as it came and the status it got
    const lines = await lineAbout('log-test-append-1');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { id: 'log-test-append-1', method: 'POST', url: `/api/relations/${PAIR}/events` },
      res: { statusCode: 201 },
    });
    expect(typeof line?.responseTime).toBe('number');
    // And no header is written, so neither is the bearer token
    expect(line?.req?.headers).toBeUndefined();
    expect(server.log).not.toContain(TOKENS.recorder);
  });

  it('logs a refused request the same way, with its 4xx status', async () => {
    const refused = await jsonRequest(server.url, 'GET', `/api/relations/${PAIR}/state?asOf=2019-02-30`, {
      headers: { 'x-request-id': 'log-test-refused-1' },
    });
    expect(refused.status).toBe(400);
    const lines = await lineAbout('log-test-refused-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      req: { id: 'log-test-refused-1', method: 'GET', url: `/api/relations/${PAIR}/state?asOf=2019-02-30` },
      res: { statusCode: 400 },
    });
  });

  it('logs a request refused before routing, such as a body that is not JSON', async () => {
    const refused = await httpRequest(server.url, {
      method: 'POST',
      path: `/api/relations/${PAIR}/events`,
      headers: {
        authorization: `Bearer ${TOKENS.recorder}`,
        'content-type': 'application/json',
        'x-request-id': 'log-test-bad-json-1',
      },
      body: '{"type": ',
    });
    expect(refused.status).toBe(400);
    expect(refused.headers['x-request-id']).toBe('log-test-bad-json-1');
    const lines = await lineAbout('log-test-bad-json-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      req: { id: 'log-test-bad-json-1', method: 'POST', url: `/api/relations/${PAIR}/events` },
      res: { statusCode: 400 },
    });
    expect(lines[0]?.req?.headers).toBeUndefined();
  });

  it('logs a live event stream once its client leaves, as closed rather than aborted', async () => {
    // When a client opens the live stream and leaves after its headers
    const live = await httpRequest(server.url, {
      method: 'GET',
      path: '/api/live',
      headers: { accept: 'text/event-stream', 'x-request-id': 'log-test-live-1' },
    });
    expect(live.status).toBe(200);
    expect(live.truncated).toBe(true);

    // Then one info line tells of it, with its status
    const lines = await lineAbout('log-test-live-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'stream closed',
      req: { id: 'log-test-live-1', method: 'GET', url: '/api/live' },
      res: { statusCode: 200 },
    });
  });
});
