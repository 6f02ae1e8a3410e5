/**
 * Graceful shutdown: SIGTERM while requests are in flight. The server must stop accepting
 * connections, finish what it had accepted, close the store (the SQLite WAL checkpointed into the
 * database file) and exit with code 0 soon after.
 *
 * "In flight" is made certain with appends whose headers and half of whose body are sent before the
 * signal and the rest after it: the server has begun those requests and must finish them. Slow
 * reads sent just before the signal may still sit in the listen backlog of a busy server (those may
 * be reset, never having been accepted), but an answer once begun must never be cut.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { validEvent } from './events';
import { request as nodeRequest } from 'node:http';
import { httpRequest, json, jsonRequest, type HttpResponse } from './http-client';
import { verifyChain } from './pair-reads';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from './server-process';

const BIG_PAIR = 'JPN-KOR';
const WRITE_PAIR = 'CHN-JPN';
const SLOW_READS = 6;
const APPENDS = 6;
/** A thousand daily points over the big pair: the slowest read the API allows. */
const SLOW_READ = `/api/relations/${BIG_PAIR}/snapshots?from=2015-01-01&to=2017-09-26&every=day`;

/** What a client got: the status, or why it got nothing (a reset or refused connection). */
interface Answer {
  status: number | string;
  response?: HttpResponse;
  text?: string;
}

interface Probe {
  atMs: number;
  outcome: number | 'refused';
  serverAlive: boolean;
}

/**
 * Starts an append whose body arrives in two halves; `finish()` sends the second half. Resolves
 * with the status, or why there was none.
 */
function trickledAppend(
  baseUrl: string,
  pair: string,
  n: number,
): { finish(): void; answer: Promise<Answer> } {
  const url = new URL(baseUrl);
  const body = Buffer.from(JSON.stringify(validEvent(pair, n)));
  const half = Math.floor(body.length / 2);
  const req = nodeRequest({
    host: url.hostname,
    port: url.port,
    method: 'POST',
    path: `/api/relations/${pair}/events`,
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': body.length,
      authorization: `Bearer ${TOKENS.recorder}`,
    },
  });
  const answer = new Promise<Answer>((resolveAnswer) => {
    req.on('error', (error) => resolveAnswer({ status: `failed: ${error.message}` }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => resolveAnswer({ status: `answer cut: ${error.message}` }));
      res.on('end', () =>
        resolveAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  });
  req.flushHeaders();
  req.write(body.subarray(0, half));
  return { finish: () => req.end(body.subarray(half)), answer };
}

describe('SIGTERM with requests in flight', () => {
  let dir: string;
  let dbFile: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-term-'));
    dbFile = join(dir, 'relations.db');
  }, 240_000);

  afterAll(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the accepted requests, refuses new connections, checkpoints the store and exits 0', async () => {
    // Given a server holding a pair of 1,500 events
    server = await ServerProcess.start({ dbFile });
    const first = server;
    for (const [start, size] of [
      [0, 1000],
      [1000, 500],
    ] as const) {
      const seeded = await jsonRequest(first.url, 'POST', `/api/relations/${BIG_PAIR}/events`, {
        token: TOKENS.recorder,
        body: Array.from({ length: size }, (_, i) => validEvent(BIG_PAIR, start + i)),
      });
      expect(seeded.status).toBe(201);
    }

    // When slow reads and appends are in flight and SIGTERM arrives
    const finishedAt: number[] = [];
    // Settled at once, so a reset connection is an answer to check, not an unhandled rejection.
    const track = (promise: Promise<HttpResponse>): Promise<Answer> =>
      promise.then(
        (response) => {
          finishedAt.push(performance.now());
          return { status: response.status, response };
        },
        (error: Error) => ({ status: `failed: ${error.message}` }),
      );
    const appends = Array.from({ length: APPENDS }, (_, i) => trickledAppend(first.url, WRITE_PAIR, i));
    // Once a later request is answered, the server has accepted those connections and read their headers.
    expect((await httpRequest(first.url, { method: 'GET', path: '/health' })).status).toBe(200);
    const reads = Array.from({ length: SLOW_READS }, () =>
      track(httpRequest(first.url, { method: 'GET', path: SLOW_READ, timeoutMs: 60_000 })),
    );
    // Long enough for the server to accept every connection, short of answering them all.
    await new Promise((r) => setTimeout(r, 250));
    const sigtermAt = performance.now();
    first.child.kill('SIGTERM');
    setTimeout(() => appends.forEach((append) => append.finish()), 500);

    const probes: Probe[] = [];
    const probing = (async () => {
      while (first.alive && performance.now() - sigtermAt < 20_000) {
        const atMs = performance.now() - sigtermAt;
        try {
          const response = await httpRequest(first.url, {
            method: 'GET',
            path: '/health',
            timeoutMs: 20_000,
          });
          probes.push({ atMs, outcome: response.status, serverAlive: first.alive });
        } catch {
          probes.push({ atMs, outcome: 'refused', serverAlive: first.alive });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    let giveUp: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      first.exited,
      new Promise<'timeout'>((r) => {
        giveUp = setTimeout(() => r('timeout'), 20_000);
      }),
    ]);
    clearTimeout(giveUp);
    const exitMs = performance.now() - sigtermAt;
    await probing;
    const readAnswers = await Promise.all(reads);
    const appendAnswers = await Promise.all(appends.map((append) => append.answer));

    console.log(
      `graceful shutdown: ${finishedAt.filter((t) => t > sigtermAt).length} of ${SLOW_READS} reads answered after SIGTERM, ` +
        `exit after ${exitMs.toFixed(0)} ms (${JSON.stringify(exit)}), probes ${JSON.stringify(probes.slice(0, 8))}, ` +
        `reads ${JSON.stringify(readAnswers.map((a) => a.status))}, appends ${JSON.stringify(appendAnswers.map((a) => a.status))}\n` +
        first.log.slice(-2000),
    );

    // Then the appends begun before the signal were finished and stored
    expect(appendAnswers.map((a) => a.status)).toEqual(appendAnswers.map(() => 201));
    // And no answer to a read was cut once begun (a read still in the backlog may be reset)
    for (const answer of readAnswers) {
      expect(String(answer.status)).toMatch(
        /^(200|failed: (read ECONNRESET|connect ECONNREFUSED.*|socket hang up))$/,
      );
      if (answer.response !== undefined) {
        expect(json<{ snapshots: unknown[] }>(answer.response).snapshots).toHaveLength(1000);
      }
    }

    // And the process exited by itself, soon
    expect(exit).not.toBe('timeout');
    expect(exitMs).toBeLessThan(15_000);

    // And once it refused a connection it never served another one
    const firstRefusal = probes.findIndex((p) => p.outcome === 'refused');
    if (firstRefusal >= 0) {
      expect(probes.slice(firstRefusal).filter((p) => p.outcome !== 'refused')).toEqual([]);
    }
    // And while requests were still being finished, new connections were already refused
    const lastAnswer = Math.max(...finishedAt) - sigtermAt;
    const refusedWhileFinishing = probes.filter((p) => p.outcome === 'refused' && p.atMs < lastAnswer);
    if (probes.length > 0 && probes[0] !== undefined && probes[0].atMs < lastAnswer - 200) {
      expect(refusedWhileFinishing.length).toBeGreaterThan(0);
    }

    // And the store was closed: WAL checkpointed, the file intact with every acknowledged event
    const wal = `${dbFile}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const counts = db
        .prepare('SELECT stream, COUNT(*) AS n FROM events GROUP BY stream ORDER BY stream')
        .all();
      expect(counts).toEqual([
        { stream: `relation-${WRITE_PAIR}`, n: APPENDS },
        { stream: `relation-${BIG_PAIR}`, n: 1500 },
      ]);
    } finally {
      db.close();
    }

    // And a new server on the same file serves the same record
    server = await ServerProcess.start({ dbFile });
    expect(await verifyChain(server.url, BIG_PAIR)).toEqual({ valid: true, checked: 1500 });
    expect(await verifyChain(server.url, WRITE_PAIR)).toEqual({ valid: true, checked: APPENDS });
    await server.stop('SIGTERM');

    // And its exit status said all went well: code 0, not death by the signal it was sent
    expect(exit).toEqual({ code: 0, signal: null });
  }, 180_000);
});
