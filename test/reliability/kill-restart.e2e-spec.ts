/**
 * Durability under a crash: the real server (`node dist/src/main.js`, what `npm start` runs) on a
 * temporary SQLite file takes appends from several concurrent clients, is killed with SIGKILL in
 * the middle of the load, and is started again on the same file. Every acknowledged event must be
 * there with the revision and hash the client was given, no batch may be stored in part, every
 * chain must verify, and the states read before the kill must read the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { validEvent, type ClientEvent } from './events';
import { json, jsonRequest, text } from './http-client';
import { readAudit, readTimeline, verifyChain } from './pair-reads';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from './server-process';

/** Pairs written during the load, and one pair that is left alone once written. */
const LOADED_PAIRS = ['JPN-KOR', 'CHN-JPN', 'KOR-USA'];
const QUIET_PAIR = 'FRA-GBR';
const CLIENTS = 6;
const STATE_DATES = ['2015-06-30', '2017-01-01', '2019-09-30', '2023-12-31'];

interface Ack {
  pair: string;
  batchId: string;
  size: number;
  events: Array<{ id: string; revision: number; hash: string; recordedAt: string }>;
}

interface SentBatch {
  pair: string;
  batchId: string;
  ids: string[];
}

/** The batch's id and size ride in every summary, so the stored record shows which batch each event came from. */
function batchOf(pair: string, batchId: string, size: number, n: number): ClientEvent[] {
  return Array.from({ length: size }, (_, i) => {
    const event = validEvent(pair, n + i);
    return {
      ...event,
      summary: `${batchId} of ${size} #${i}: ${event.summary}`,
      note: `batch ${batchId} size ${size}`,
    };
  });
}

const BATCH_IN_SUMMARY = /^(b[\w-]+) of (\d+) #(\d+):/;

describe('SIGKILL in the middle of concurrent appends, then restart on the same SQLite file', () => {
  let dir: string;
  let dbFile: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-kill-'));
    dbFile = join(dir, 'relations.db');
  }, 240_000);

  afterAll(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event with its revision and hash, stores no partial batch, and answers the same states', async () => {
    // Given a server with some history in every pair
    server = await ServerProcess.start({ dbFile });
    const first = server;
    const acks: Ack[] = [];
    const sent: SentBatch[] = [];
    let batchCounter = 0;
    const nextBatchId = (client: number) => `b${client}-${(batchCounter += 1)}`;

    for (const pair of [...LOADED_PAIRS, QUIET_PAIR]) {
      const batchId = nextBatchId(0);
      const events = batchOf(pair, batchId, 8, 0);
      sent.push({ pair, batchId, ids: events.map((e) => e.id ?? '') });
      const response = await jsonRequest(first.url, 'POST', `/api/relations/${pair}/events`, {
        token: TOKENS.recorder,
        body: events,
      });
      expect(response.status).toBe(201);
      acks.push({ pair, batchId, size: 8, events: json<Ack>(response).events });
    }
    // A moment after the last acknowledged append: states known then must never change.
    const recordedAts = acks.flatMap((a) => a.events.map((e) => Date.parse(e.recordedAt)));
    await new Promise((r) => setTimeout(r, 20));
    const knownAt = new Date(Math.max(...recordedAts) + 5).toISOString();
    await new Promise((r) => setTimeout(r, 20));

    const statesBefore = new Map<string, string>();
    for (const pair of LOADED_PAIRS) {
      for (const asOf of STATE_DATES) {
        const path = `/api/relations/${pair}/state?asOf=${asOf}&knownAt=${encodeURIComponent(knownAt)}`;
        const response = await jsonRequest(first.url, 'GET', path);
        expect(response.status).toBe(200);
        statesBefore.set(path, text(response));
      }
    }
    for (const asOf of STATE_DATES) {
      const path = `/api/relations/${QUIET_PAIR}/state?asOf=${asOf}`;
      const response = await jsonRequest(first.url, 'GET', path);
      expect(response.status).toBe(200);
      const { knownAt: _now, ...state } = json<Record<string, unknown>>(response);
      statesBefore.set(path, JSON.stringify(state));
    }

    // When several clients append singles, batches and If-Match appends, and the server is killed mid-load
    let killed = false;
    let conflicts = 0;
    const refused = new Set<string>();
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const client = async (clientId: number): Promise<void> => {
      let n = 1000 * clientId;
      while (!killed) {
        const pair = LOADED_PAIRS[(n + clientId) % LOADED_PAIRS.length] ?? 'JPN-KOR';
        const roll = n % 10;
        // One client sends only large batches, so the kill may well land inside a long transaction.
        const size = clientId === CLIENTS ? 250 : roll < 5 ? 1 : 2 + (n % 4);
        const batchId = nextBatchId(clientId);
        const events = batchOf(pair, batchId, size, n);
        n += size;
        const headers: Record<string, string> = {};
        if (roll >= 8 && clientId !== CLIENTS) {
          const mine = acks.filter((a) => a.pair === pair).flatMap((a) => a.events.map((e) => e.revision));
          headers['if-match'] = `"${Math.max(...mine)}"`;
        }
        sent.push({ pair, batchId, ids: events.map((e) => e.id ?? '') });
        try {
          const response = await jsonRequest(first.url, 'POST', `/api/relations/${pair}/events`, {
            token: clientId % 2 === 0 ? TOKENS.recorder : TOKENS.recorder2,
            body: size === 1 ? events[0] : events,
            headers,
            agent,
            timeoutMs: 20_000,
          });
          if (response.status === 201 || response.status === 200) {
            acks.push({ pair, batchId, size, events: json<Ack>(response).events });
          } else if (response.status === 412) {
            conflicts += 1;
            refused.add(batchId);
          } else {
            throw new Error(`unexpected ${response.status}: ${text(response)}`);
          }
        } catch (error) {
          if (killed) return;
          throw error;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i + 1));
    const ackedBeforeLoad = acks.length;
    const loadStarted = Date.now();
    while (acks.length < ackedBeforeLoad + 150 && Date.now() - loadStarted < 20_000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    killed = true;
    const exit = await first.kill();
    await Promise.all(clients);
    agent.destroy();
    expect(exit.signal).toBe('SIGKILL');
    expect(acks.length).toBeGreaterThan(ackedBeforeLoad + 20);

    // And the server is started again on the same file
    server = await ServerProcess.start({ dbFile });
    const second = server;

    // Then every acknowledged event is stored at the revision, with the hash, the client was told
    const audits = new Map<string, Awaited<ReturnType<typeof readAudit>>>();
    for (const pair of [...LOADED_PAIRS, QUIET_PAIR]) audits.set(pair, await readAudit(second.url, pair));
    for (const ack of acks) {
      const audit = audits.get(ack.pair) ?? [];
      for (const event of ack.events) {
        const stored = audit.find((entry) => entry.id === event.id);
        expect({ pair: ack.pair, id: event.id, revision: stored?.revision, hash: stored?.hash }).toEqual({
          pair: ack.pair,
          id: event.id,
          revision: event.revision,
          hash: event.hash,
        });
      }
    }

    // And every stream is gapless, and every batch sent is stored whole or not at all
    const stored = new Map<string, string>();
    for (const pair of [...LOADED_PAIRS, QUIET_PAIR]) {
      const audit = audits.get(pair) ?? [];
      expect(audit.map((e) => e.revision)).toEqual(audit.map((_, i) => i));
      for (const event of await readTimeline(second.url, pair)) {
        const match = BATCH_IN_SUMMARY.exec(event.summary ?? '');
        expect(match).not.toBeNull();
        stored.set(event.id, match?.[1] ?? '');
      }
      expect(stored.size).toBeGreaterThan(0);
    }
    for (const batch of sent) {
      const present = batch.ids.filter((id) => stored.has(id)).length;
      expect({
        batch: batch.batchId,
        present: present === 0 ? 'none' : present === batch.ids.length ? 'all' : present,
      }).toEqual({
        batch: batch.batchId,
        present: acks.some((a) => a.batchId === batch.batchId)
          ? 'all'
          : refused.has(batch.batchId)
            ? 'none'
            : expect.stringMatching(/^(none|all)$/),
      });
    }

    // And every chain verifies
    for (const pair of [...LOADED_PAIRS, QUIET_PAIR]) {
      expect({ pair, ...(await verifyChain(second.url, pair)) }).toEqual({
        pair,
        valid: true,
        checked: audits.get(pair)?.length,
      });
    }

    // And the states read before the kill read the same
    for (const [path, before] of statesBefore) {
      const response = await jsonRequest(second.url, 'GET', path);
      expect(response.status).toBe(200);
      if (path.includes('knownAt=')) {
        expect({ path, state: JSON.parse(text(response)) }).toEqual({ path, state: JSON.parse(before) });
      } else {
        const { knownAt: _now, ...state } = json<Record<string, unknown>>(response);
        expect({ path, state }).toEqual({ path, state: JSON.parse(before) });
      }
    }

    // And the restarted server keeps appending after the last stored revision
    const audit = audits.get('JPN-KOR') ?? [];
    const next = await jsonRequest(second.url, 'POST', '/api/relations/JPN-KOR/events', {
      token: TOKENS.recorder,
      body: validEvent('JPN-KOR', 99_999),
      headers: { 'if-match': `"${audit.length - 1}"` },
    });
    expect(next.status).toBe(201);
    expect(json<{ revision: number }>(next).revision).toBe(audit.length);
    // Batches in flight at the kill: neither acknowledged nor refused.
    const unacknowledged = sent.filter(
      (b) => !refused.has(b.batchId) && !acks.some((a) => a.batchId === b.batchId),
    );
    console.log(
      `kill/restart: ${acks.length - ackedBeforeLoad} acknowledged appends under load (${conflicts} If-Match conflicts), ` +
        `${sent.length} batches sent, ${stored.size} events stored after restart; batches in flight at the kill: ` +
        `${unacknowledged.filter((b) => b.ids.every((id) => stored.has(id))).length} stored whole, ` +
        `${unacknowledged.filter((b) => !b.ids.some((id) => stored.has(id))).length} not at all`,
    );
  }, 180_000);
});
