/**
 * `npm run soak [-- --minutes M --concurrency C --appends-per-second A --sample-seconds S]`: ten
 * minutes (by default) of mixed reads and writes against a real server child process on a fresh
 * SQLite file. Prints RSS and p99 every sample period, then start vs end; exits 1 when either grew
 * beyond 20 % or any request failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ensureBuild } from '../support/build';
import { ServerProcess, TOKENS } from '../reliability/server-process';
import { formatSoakReport, runSoak, seedPairs, SOAK_PAIRS, writePairs } from './soak';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

async function main(): Promise<number> {
  const options = new Command('soak')
    .description('Mixed reads and writes for a long time: RSS and p99 must not grow beyond the limit')
    .option('--minutes <m>', 'duration', positiveNumber, 10)
    .option('--concurrency <c>', 'requests in flight', positiveNumber, 8)
    .option('--appends-per-second <a>', 'paced appends, all clients together', positiveNumber, 5)
    .option('--sample-seconds <s>', 'sample period', positiveNumber, 60)
    .option('--events-per-pair <n>', 'events stored in each read pair before the soak', positiveNumber, 300)
    .option('--write-pairs <n>', 'pairs the appends are spread over', positiveNumber, 40)
    .option('--warmup-seconds <s>', 'load before the first sample period, not sampled', positiveNumber, 30)
    .option('--max-growth <g>', 'allowed growth start to end (0.2 = 20 %)', positiveNumber, 0.2)
    .parse(process.argv)
    .opts<{
      minutes: number;
      concurrency: number;
      appendsPerSecond: number;
      sampleSeconds: number;
      eventsPerPair: number;
      writePairs: number;
      warmupSeconds: number;
      maxGrowth: number;
    }>();
  ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), 'relations-soak-'));
  const server = await ServerProcess.start({ dbFile: join(dir, 'soak.db'), env: { LOG_LEVEL: 'error' } });
  try {
    const writes = writePairs(Math.round(options.writePairs));
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `soak: ${options.minutes} min after ${options.warmupSeconds} s of warm-up, ${options.concurrency} clients, ` +
        `${options.appendsPerSecond} appends/s over ${writes.length} pairs, reads over ${SOAK_PAIRS.length} pairs × ` +
        `${options.eventsPerPair} events; server pid ${server.pid}; ${cpus().length} CPUs, load average ${load}`,
    );
    await seedPairs(server, TOKENS.recorder, SOAK_PAIRS, Math.round(options.eventsPerPair));
    await seedPairs(server, TOKENS.recorder, writes, 1);
    const report = await runSoak({
      server,
      token: TOKENS.recorder,
      durationMs: options.minutes * 60_000,
      sampleMs: options.sampleSeconds * 1000,
      concurrency: Math.round(options.concurrency),
      appendsPerSecond: options.appendsPerSecond,
      readPairs: SOAK_PAIRS,
      writePairs: writes,
      warmupMs: options.warmupSeconds * 1000,
      maxGrowth: options.maxGrowth,
      onSample: (s) =>
        console.log(
          `soak: t=${s.atSeconds} s, ${s.requests} requests, p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, ` +
            `RSS ${s.rssKiB === undefined ? 'n/a' : (s.rssKiB / 1024).toFixed(1)} MiB, ` +
            `server CPU ${s.cpuMsPerRequest?.toFixed(2) ?? 'n/a'} ms/request, load ${s.load?.toFixed(2) ?? 'n/a'}`,
        ),
    });
    console.log(formatSoakReport(report));
    return report.failures.length === 0 ? 0 : 1;
  } finally {
    await server.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
