/**
 * A short soak in `npm test` (30 s by default, SOAK_SECONDS overrides): the same mixed load as
 * `npm run soak` must be served without one failed request and the samples must be taken. Growth
 * is judged only by the ten-minute `npm run soak`: half a minute on a shared machine says more
 * about the neighbours than about the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from '../reliability/server-process';
import { formatSoakReport, runSoak, seedPairs, SOAK_PAIRS, writePairs } from './soak';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);

describe('short soak (real server, mixed reads and appends)', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-soak-'));
    server = await ServerProcess.start({ dbFile: join(dir, 'soak.db') });
    await seedPairs(server, TOKENS.recorder, SOAK_PAIRS.slice(0, 4), 100);
    await seedPairs(server, TOKENS.recorder, writePairs(10), 1);
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(
    `serves ${SECONDS} s of mixed reads and paced appends without a failed request, sampling RSS and p99`,
    async () => {
      // Given a server with four pairs of 100 events, when four clients read and append for a while
      const report = await runSoak({
        server,
        token: TOKENS.recorder,
        durationMs: SECONDS * 1000,
        sampleMs: (SECONDS * 1000) / 3,
        concurrency: 4,
        appendsPerSecond: 5,
        readPairs: SOAK_PAIRS.slice(0, 4),
        writePairs: writePairs(10),
        warmupMs: 3000,
        maxGrowth: Number.POSITIVE_INFINITY,
      });
      console.log(formatSoakReport(report));

      // Then every request succeeded, appends happened, and each period was sampled
      expect(report.errorExamples).toEqual([]);
      expect(report.errors).toBe(0);
      expect(report.appends).toBeGreaterThan(SECONDS * 2);
      expect(report.samples.length).toBeGreaterThanOrEqual(3);
      expect(report.samples.every((s) => s.rssKiB !== undefined && s.requests > 0)).toBe(true);
      expect(server.alive).toBe(true);
    },
    (SECONDS + 120) * 1000,
  );
});
