/**
 * Retries as a client on a bad network makes them: the same request sent again after its answer
 * was lost, and the same request sent many times at once. Each must store the events once and
 * tell every caller the same revisions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as nodeRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validEvent } from './events';
import { json, jsonRequest } from './http-client';
import { readAudit, verifyChain } from './pair-reads';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from './server-process';

interface AppendAnswer {
  revision: number;
  events: Array<{ id: string; revision: number; hash: string }>;
}

/** Sends an append and drops the connection before reading anything: the answer is lost. */
function sendAndHangUp(baseUrl: string, path: string, body: unknown): Promise<void> {
  const url = new URL(baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolveSent) => {
    const req = nodeRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path,
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        authorization: `Bearer ${TOKENS.recorder}`,
      },
    });
    req.on('error', () => resolveSent());
    req.end(payload, () => {
      req.destroy();
      resolveSent();
    });
  });
}

describe('retried appends against the real server', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-retry-'));
    server = await ServerProcess.start({ dbFile: join(dir, 'retry.db') });
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a batch once when it is retried after its answer was lost, and answers the retry 200 with the original result', async () => {
    // Given a batch whose first sending lost its answer
    const pair = 'JPN-KOR';
    const batch = [validEvent(pair, 1), validEvent(pair, 2), validEvent(pair, 3)];
    await sendAndHangUp(server.url, `/api/relations/${pair}/events`, batch);

    // When the client retries until it gets an answer (the first may still be in progress)
    let retry = await jsonRequest(server.url, 'POST', `/api/relations/${pair}/events`, {
      token: TOKENS.recorder,
      body: batch,
    });
    if (retry.status === 201) {
      // The first sending never reached the store; this retry stored it. A second retry is the real check.
      retry = await jsonRequest(server.url, 'POST', `/api/relations/${pair}/events`, {
        token: TOKENS.recorder,
        body: batch,
      });
    }

    // Then it is a 200 with the revisions the events hold, and the pair holds them once
    expect(retry.status).toBe(200);
    const answer = json<AppendAnswer>(retry);
    const audit = await readAudit(server.url, pair);
    expect(audit.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(answer.events.map((e) => [e.id, e.revision, e.hash])).toEqual(
      audit.map((e) => [e.id, e.revision, e.hash]),
    );
    expect(await verifyChain(server.url, pair)).toEqual({ valid: true, checked: 3 });
  });

  it('answers 20 simultaneous sendings of one request with one 201 and nineteen 200s carrying the same revisions', async () => {
    // Given one request sent 20 times at once (a client retrying on every timeout)
    const pair = 'CHN-JPN';
    const batch = [validEvent(pair, 10), validEvent(pair, 11)];
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        jsonRequest(server.url, 'POST', `/api/relations/${pair}/events`, {
          token: TOKENS.recorder,
          body: batch,
        }),
      ),
    );

    // Then exactly one stored it, every other one was told the same result, and it is stored once
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array.from({ length: 18 }, () => 200), 201].sort());
    const results = answers.map((a) =>
      JSON.stringify(json<AppendAnswer>(a).events.map((e) => [e.id, e.revision, e.hash])),
    );
    expect(new Set(results).size).toBe(1);
    const audit = await readAudit(server.url, pair);
    expect(audit.map((e) => [e.id, e.revision])).toEqual(batch.map((e, i) => [e.id, i]));
  });
});
