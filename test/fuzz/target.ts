/**
 * The server a fuzz campaign attacks: a fresh SQLite file in a temporary folder, a few valid events
 * in one pair (so reads reach the projections and corrections can name a real event), and a write
 * rate limit high enough that hostile appends reach validation instead of the limiter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonRequest } from '../reliability/http-client';
import { validEvent } from '../reliability/events';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from '../reliability/server-process';
import type { FuzzContext } from './cases';

export interface FuzzTarget {
  server: ServerProcess;
  context: FuzzContext;
  dir: string;
  /** Stops the server (SIGTERM) and removes the temporary folder. */
  close(): Promise<void>;
}

export const FUZZ_PAIR = 'JPN-KOR';

export async function startFuzzTarget(): Promise<FuzzTarget> {
  ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), 'relations-fuzz-'));
  const server = await ServerProcess.start({ dbFile: join(dir, 'fuzz.db'), env: { LOG_LEVEL: 'error' } });
  const events = Array.from({ length: 12 }, (_, n) => validEvent(FUZZ_PAIR, n));
  const seeded = await jsonRequest(server.url, 'POST', `/api/relations/${FUZZ_PAIR}/events`, {
    token: TOKENS.recorder,
    body: events,
  });
  if (seeded.status !== 201) {
    await server.stop('SIGKILL');
    throw new Error(`Could not seed the fuzz target: ${seeded.status} ${seeded.body.toString('utf8')}`);
  }
  return {
    server,
    dir,
    context: {
      pair: FUZZ_PAIR,
      eventIds: events.map((e) => e.id ?? ''),
      recorderToken: TOKENS.recorder,
      readerToken: TOKENS.reader,
    },
    async close() {
      await server.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
