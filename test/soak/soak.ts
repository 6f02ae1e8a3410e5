/**
 * The soak: mixed reads (state, snapshots, timeline, audit, verify) and paced appends against one
 * real server child process for a long time, with bounded concurrency. Every sample period it
 * records the server's RSS and the p99 latency of the requests answered in that period; the
 * verdict compares the first sample with the last one.
 *
 * The work per request must stay the same for a growth to mean a leak or a degradation: the heavy
 * reads go to read pairs whose size never changes, the appends to a larger pool of write pairs
 * (whose states are read too), and a warm-up period is left out of the samples.
 */
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { httpRequest, jsonRequest, type HttpResponse } from '../reliability/http-client';
import { validEvent } from '../reliability/events';
import type { ServerProcess } from '../reliability/server-process';

export interface SoakOptions {
  server: ServerProcess;
  /** Bearer token allowed to append. */
  token: string;
  durationMs: number;
  sampleMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Appends per second, all workers together (appends grow the record, so they are paced). */
  appendsPerSecond: number;
  /** Pairs of a fixed size that every kind of read queries. */
  readPairs: readonly string[];
  /** Pairs that receive the appends (and some state reads). */
  writePairs: readonly string[];
  /** Load before the first sample period, left out of the samples (JIT, caches, SQLite pages). */
  warmupMs: number;
  /** Allowed growth of RSS and p99 from the first sample to the last (0.2 = 20 %). */
  maxGrowth: number;
  /** Called after each sample. */
  onSample?: (sample: SoakSample) => void;
}

/** One sample period. */
export interface SoakSample {
  /** Seconds since the soak began. */
  atSeconds: number;
  rssKiB: number | undefined;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests per kind in this period. */
  kinds: Record<string, number>;
  /**
   * Server CPU time per request in this period: unlike latency it hardly depends on what else the
   * machine runs, so it tells a slower server from a busier machine.
   */
  cpuMsPerRequest?: number;
  /** The machine's one-minute load average at the end of the period. */
  load?: number;
}

export interface SoakReport {
  durationMs: number;
  requests: number;
  appends: number;
  /** Answers that were not the expected success, with a few examples. */
  errors: number;
  errorExamples: string[];
  samples: SoakSample[];
  rssGrowth: number | undefined;
  p99Growth: number | undefined;
  /** Why the soak failed; empty when it passed. */
  failures: string[];
}

/** The value at quantile `q` (0..1) of `values` by the nearest-rank method; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/** Relative growth from `start` to `end` (0.25 = 25 % more); undefined when not measurable. */
export function growth(start: number | undefined, end: number | undefined): number | undefined {
  if (start === undefined || end === undefined || start <= 0) return undefined;
  return end / start - 1;
}

/** The verdict: what grew beyond `maxGrowth` between the first and the last sample. */
export function judge(
  samples: readonly SoakSample[],
  maxGrowth: number,
): Pick<SoakReport, 'rssGrowth' | 'p99Growth' | 'failures'> {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const failures: string[] = [];
  if (first === undefined || last === undefined || samples.length < 2) {
    return {
      rssGrowth: undefined,
      p99Growth: undefined,
      failures: ['fewer than two samples: nothing to compare'],
    };
  }
  const rssGrowth = growth(first.rssKiB, last.rssKiB);
  const p99Growth = growth(first.p99Ms, last.p99Ms);
  const pct = (g: number) => `${(g * 100).toFixed(1)} %`;
  if (rssGrowth === undefined) failures.push('RSS could not be read');
  else if (rssGrowth > maxGrowth) failures.push(`RSS grew ${pct(rssGrowth)} (limit ${pct(maxGrowth)})`);
  if (p99Growth !== undefined && p99Growth > maxGrowth)
    failures.push(`p99 grew ${pct(p99Growth)} (limit ${pct(maxGrowth)})`);
  return { rssGrowth, p99Growth, failures };
}

/** The pairs every kind of read queries; their size stays fixed during a soak. */
export const SOAK_PAIRS = [
  'JPN-KOR',
  'CHN-JPN',
  'KOR-USA',
  'FRA-GBR',
  'DEU-POL',
  'BRA-PRT',
  'IND-PAK',
  'CAN-MEX',
];

const WRITE_COUNTRIES = [
  'ARG',
  'AUS',
  'AUT',
  'BEL',
  'CHE',
  'CHL',
  'COL',
  'CZE',
  'DNK',
  'EGY',
  'ESP',
  'FIN',
  'GRC',
  'HUN',
];

/** Pairs that receive the soak's appends: the pairs of {@link WRITE_COUNTRIES} in order, up to `count`. */
export function writePairs(count: number): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < WRITE_COUNTRIES.length && pairs.length < count; i += 1) {
    for (let j = i + 1; j < WRITE_COUNTRIES.length && pairs.length < count; j += 1) {
      pairs.push(`${WRITE_COUNTRIES[i]}-${WRITE_COUNTRIES[j]}`);
    }
  }
  return pairs;
}

type Kind = 'state' | 'snapshots' | 'timeline' | 'audit' | 'verify' | 'append';

const READS: ReadonlyArray<[Kind, number]> = [
  ['state', 45],
  ['snapshots', 15],
  ['timeline', 20],
  ['audit', 12],
  ['verify', 8],
];
const READ_WEIGHT = READS.reduce((sum, [, w]) => sum + w, 0);

function pickRead(): Kind {
  let roll = Math.random() * READ_WEIGHT;
  for (const [kind, weight] of READS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'state';
}

function randomDay(): string {
  const day = new Date(Date.UTC(2014, 0, 1) + Math.floor(Math.random() * 3650) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/** Appends `perPair` valid events to each pair in batches, so the soak reads a real record. */
export async function seedPairs(
  server: ServerProcess,
  token: string,
  pairs: readonly string[],
  perPair: number,
): Promise<void> {
  for (const pair of pairs) {
    for (let start = 0; start < perPair; start += 100) {
      const batch = Array.from({ length: Math.min(100, perPair - start) }, (_, i) =>
        validEvent(pair, start + i),
      );
      const response = await jsonRequest(server.url, 'POST', `/api/relations/${pair}/events`, {
        token,
        body: batch,
      });
      if (response.status !== 201) {
        throw new Error(
          `seeding ${pair} failed: ${response.status} ${response.body.toString('utf8').slice(0, 300)}`,
        );
      }
    }
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { server } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = performance.now();
  const deadline = started + options.warmupMs + options.durationMs;
  const samples: SoakSample[] = [];
  let window: number[] = [];
  let windowKinds: Record<string, number> = {};
  const report: SoakReport = {
    durationMs: 0,
    requests: 0,
    appends: 0,
    errors: 0,
    errorExamples: [],
    samples,
    rssGrowth: undefined,
    p99Growth: undefined,
    failures: [],
  };
  let appendCounter = 0;
  let nextAppendAt = started;
  const appendInterval = options.appendsPerSecond > 0 ? 1000 / options.appendsPerSecond : Infinity;

  let writeCursor = 0;
  const send = async (kind: Kind): Promise<void> => {
    let pair = pick(options.readPairs);
    if (kind === 'append') pair = options.writePairs[(writeCursor += 1) % options.writePairs.length] ?? pair;
    // One state read in five (about one read in ten) asks a write pair: what is appended is read back.
    else if (kind === 'state' && Math.random() < 0.2) pair = pick(options.writePairs);
    const base = `/api/relations/${pair}`;
    let response: HttpResponse;
    let expected = 200;
    try {
      switch (kind) {
        case 'state':
          response = await httpRequest(server.url, {
            method: 'GET',
            path: `${base}/state?asOf=${randomDay()}`,
            agent,
          });
          break;
        case 'snapshots':
          response = await httpRequest(server.url, {
            method: 'GET',
            path: `${base}/snapshots?from=2015-01-01&to=2022-12-31&every=month`,
            agent,
          });
          break;
        case 'timeline':
          response = await httpRequest(server.url, {
            method: 'GET',
            path: `${base}/events?limit=100&from=${randomDay()}`,
            agent,
          });
          break;
        case 'audit':
          response = await httpRequest(server.url, { method: 'GET', path: `${base}/audit?limit=200`, agent });
          break;
        case 'verify':
          response = await httpRequest(server.url, { method: 'GET', path: `${base}/audit/verify`, agent });
          break;
        case 'append':
          expected = 201;
          appendCounter += 1;
          response = await jsonRequest(server.url, 'POST', `${base}/events`, {
            token: options.token,
            body: validEvent(pair, 10_000 + appendCounter),
            agent,
          });
          break;
      }
    } catch (error) {
      report.errors += 1;
      if (report.errorExamples.length < 5) report.errorExamples.push(`${kind}: ${(error as Error).message}`);
      return;
    }
    report.requests += 1;
    if (kind === 'append') report.appends += 1;
    window.push(response.elapsedMs);
    windowKinds[kind] = (windowKinds[kind] ?? 0) + 1;
    if (response.status !== expected) {
      report.errors += 1;
      if (report.errorExamples.length < 5) {
        report.errorExamples.push(
          `${kind} ${pair}: ${response.status} ${response.body.toString('utf8').slice(0, 200)}`,
        );
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && server.alive) {
      const now = performance.now();
      if (now >= nextAppendAt) {
        nextAppendAt += appendInterval;
        await send('append');
      } else {
        await send(pickRead());
      }
    }
  };

  let lastCpuMs: number | undefined;
  const takeSample = () => {
    const cpuMs = server.cpuMs();
    const cpuMsPerRequest =
      cpuMs !== undefined && lastCpuMs !== undefined && window.length > 0
        ? (cpuMs - lastCpuMs) / window.length
        : undefined;
    lastCpuMs = cpuMs;
    const sample: SoakSample = {
      atSeconds: Math.round((performance.now() - started - options.warmupMs) / 1000),
      rssKiB: server.rssKiB(),
      requests: window.length,
      p50Ms: percentile(window, 0.5),
      p99Ms: percentile(window, 0.99),
      kinds: windowKinds,
      cpuMsPerRequest,
      load: loadavg()[0],
    };
    samples.push(sample);
    window = [];
    windowKinds = {};
    options.onSample?.(sample);
  };
  let sampler: NodeJS.Timeout | undefined;
  const warmup = setTimeout(() => {
    window = [];
    windowKinds = {};
    lastCpuMs = server.cpuMs();
    sampler = setInterval(takeSample, options.sampleMs);
  }, options.warmupMs);

  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  } finally {
    clearTimeout(warmup);
    clearInterval(sampler);
    agent.destroy();
  }
  // The last partial period counts only if it is at least half a period long.
  const sinceLast = performance.now() - started - options.warmupMs - samples.length * options.sampleMs;
  if (sinceLast >= options.sampleMs / 2 && window.length > 0) takeSample();

  report.durationMs = performance.now() - started - options.warmupMs;
  const verdict = judge(samples, options.maxGrowth);
  report.rssGrowth = verdict.rssGrowth;
  report.p99Growth = verdict.p99Growth;
  report.failures = [...verdict.failures];
  if (!server.alive) report.failures.push('the server died during the soak');
  if (report.errors > 0)
    report.failures.push(`${report.errors} requests failed, e.g. ${report.errorExamples.join(' | ')}`);
  return report;
}

/** The soak's printed summary: the samples as a table, then start vs end and the verdict. */
export function formatSoakReport(report: SoakReport): string {
  const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : (kib / 1024).toFixed(1));
  const pct = (g: number | undefined) =>
    g === undefined ? 'n/a' : `${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)} %`;
  const lines = ['   t(s)  requests   p50(ms)   p99(ms)   RSS(MiB)  CPU ms/req   load'];
  for (const s of report.samples) {
    lines.push(
      `${String(s.atSeconds).padStart(7)}${String(s.requests).padStart(10)}${s.p50Ms.toFixed(1).padStart(10)}` +
        `${s.p99Ms.toFixed(1).padStart(10)}${mib(s.rssKiB).padStart(11)}` +
        `${(s.cpuMsPerRequest?.toFixed(2) ?? 'n/a').padStart(12)}${(s.load?.toFixed(2) ?? 'n/a').padStart(7)}`,
    );
  }
  const first = report.samples[0];
  const last = report.samples[report.samples.length - 1];
  lines.push(
    `soak: ${report.requests} requests (${report.appends} appends) in ${(report.durationMs / 1000).toFixed(0)} s, ${report.errors} errors`,
    `soak: RSS start ${mib(first?.rssKiB)} MiB, end ${mib(last?.rssKiB)} MiB (${pct(report.rssGrowth)}); ` +
      `p99 start ${first?.p99Ms.toFixed(1) ?? 'n/a'} ms, end ${last?.p99Ms.toFixed(1) ?? 'n/a'} ms (${pct(report.p99Growth)})`,
    `soak: server CPU per request start ${first?.cpuMsPerRequest?.toFixed(2) ?? 'n/a'} ms, end ${last?.cpuMsPerRequest?.toFixed(2) ?? 'n/a'} ms ` +
      `(${pct(growth(first?.cpuMsPerRequest, last?.cpuMsPerRequest))}); load average start ${first?.load?.toFixed(2) ?? 'n/a'}, end ${last?.load?.toFixed(2) ?? 'n/a'}`,
    report.failures.length === 0 ? 'soak: PASSED' : `soak: FAILED: ${report.failures.join('; ')}`,
  );
  return lines.join('\n');
}
