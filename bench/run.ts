/**
 * `npm run bench [-- --events N] [-- --seconds S] [-- --only import,append,state,http]
 * [-- --cache-mb MB]`: builds the synthetic record, measures each operation beside its raw
 * baseline in the same run, prints the table and writes `bench/results.json`. quality.md lists the
 * bars. `--cache-mb` adds a report-only row: GET state on all pairs from a second server whose
 * read-model cache has that budget (`READ_MODEL_CACHE_MB`), e.g. 3300 to hold a million events.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { GENESIS_HASH, type EventInput, type PairId } from '../events/catalogue';
import { streamNameOf } from '../events/countries';
import { recordEnvelope } from '../projections/recording';
import { MetricsService } from '../src/metrics/metrics.service';
import { CachedRelationReadModel } from '../src/read-model/cached-relation-read-model';
import { toNewEvent } from '../src/relations/event-codec';
import { SqliteEventStore } from '../src/store/sqlite-event-store';
import { openRaw, rawBulkImport, rawReadStream, rawSingleAppends } from './baseline';
import { absoluteRow, formatTable, median, ratioRow, type ResultRow } from './report';
import {
  appendLoad,
  get,
  heapForCache,
  load,
  rssMb,
  SERVER_HEAP_MB,
  startBareServer,
  startServer,
  timedGets,
  type LoadResult,
} from './server';
import { generateWorkload, HOT_PAIR, Random, workloadPairs, type WorkloadEvent } from './workload';

interface Options {
  events: number;
  seconds: number;
  only: Set<string> | undefined;
  keep: boolean;
  cacheMb: number | undefined;
}

const SINGLE_APPENDS = 1000;
/** Load before the large cache's row is measured (see {@link measureLargeCache}). */
const LARGE_CACHE_WARMUP_SECONDS = 20;
const ROUNDS = 7;

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    events: 1_000_000,
    seconds: 10,
    only: undefined,
    keep: false,
    cacheMb: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--events') options.events = positive(arg, value());
    else if (arg === '--seconds') options.seconds = positive(arg, value());
    else if (arg === '--only') options.only = new Set(value().split(','));
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--cache-mb') options.cacheMb = positive(arg, value());
    else
      throw new Error(
        `unknown option ${arg} (use --events N, --seconds S, --only import,append,state,http, --keep, --cache-mb MB)`,
      );
  }
  return options;
}

function positive(name: string, raw: string): number {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** One NDJSON file of the whole workload: the importer streams it, whatever its size. */
async function writeWorkload(dir: string, events: number): Promise<string[]> {
  const file = join(dir, 'workload.ndjson');
  const out = createWriteStream(file);
  for (const event of generateWorkload({ events })) {
    if (!out.write(`${JSON.stringify(event)}\n`))
      await new Promise<void>((done) => out.once('drain', () => done()));
  }
  await new Promise<void>((done) => out.end(() => done()));
  return [file];
}

function runCli(root: string, args: readonly string[], dbFile: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), ...args], {
      cwd: root,
      env: { ...process.env, EVENT_STORE: `sqlite:${dbFile}`, SEED: 'none', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done()
        : fail(new Error(`relations ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

async function measureImport(root: string, files: readonly string[], work: string, events: number) {
  log(`raw import of ${events} lines in 1,000-row transactions`);
  let started = performance.now();
  await rawBulkImport(files, join(work, 'raw.db'));
  const rawSeconds = (performance.now() - started) / 1000;
  log(`raw: ${(events / rawSeconds).toFixed(0)} events/s; now the CLI importer (${files.length} file(s))`);
  started = performance.now();
  for (const file of files) await runCli(root, ['import', file], join(work, 'ours.db'));
  const oursSeconds = (performance.now() - started) / 1000;
  log(`ours: ${(events / oursSeconds).toFixed(0)} events/s`);
  return ratioRow({
    id: 'import',
    what: `bulk import, ${events.toLocaleString('en-US')} events (CLI: validate, hash, append)`,
    ours: { value: events / oursSeconds, unit: 'events/s' },
    baseline: { value: events / rawSeconds, unit: 'events/s', what: 'raw 1,000-row transactions' },
    bar: { kind: 'min', limit: 0.5, label: '≥ 0.5 of raw' },
    note: `${oursSeconds.toFixed(1)} s vs ${rawSeconds.toFixed(1)} s; each CLI run includes starting the app`,
  });
}

function singleAppendEvents(count: number): WorkloadEvent[] {
  const out: WorkloadEvent[] = [];
  for (const event of generateWorkload({ events: count * 2, seed: 7 })) {
    if (event.type !== 'event-corrected' && event.type !== 'event-retracted') out.push(event);
    if (out.length === count) break;
  }
  return out;
}

async function measureSingleAppends(work: string): Promise<ResultRow> {
  const events = singleAppendEvents(SINGLE_APPENDS);
  const rows = events.map((event) => ({ id: event.id, body: JSON.stringify(event) }));
  const pairs = workloadPairs(10);
  const ours: number[] = [];
  const raw: number[] = [];
  const rawRound = (round: number): void => {
    const started = performance.now();
    rawSingleAppends(join(work, `single-raw-${round}.db`), rows, 'FULL');
    raw.push(SINGLE_APPENDS / ((performance.now() - started) / 1000));
  };
  const oursRound = async (round: number): Promise<void> => {
    const store = SqliteEventStore.open(join(work, `single-ours-${round}.db`), { synchronous: 'FULL' });
    const heads = new Map<string, { revision: number; hash: string }>();
    const started = performance.now();
    for (let i = 0; i < events.length; i++) {
      const { pair: _pair, ...input } = events[i]!;
      const pair = pairs[i % pairs.length]!;
      const head = heads.get(pair) ?? { revision: -1, hash: GENESIS_HASH };
      const actor = pair.slice(0, 3);
      const recorded = recordEnvelope(
        pair,
        { ...(input as EventInput & { id: string }), actor },
        {
          revision: head.revision + 1,
          recordedAt: new Date().toISOString(),
          recordedBy: 'bench',
          prevHash: head.hash,
        },
      );
      await store.append(streamNameOf(pair), [toNewEvent(recorded)], {
        expectedRevision: head.revision === -1 ? 'no-stream' : head.revision,
      });
      heads.set(pair, { revision: recorded.revision, hash: recorded.hash });
    }
    ours.push(SINGLE_APPENDS / ((performance.now() - started) / 1000));
    await store.close();
  };
  // Each side goes first in every other round: the disk's state drifts within a run.
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      rawRound(round);
      await oursRound(round);
    } else {
      await oursRound(round);
      rawRound(round);
    }
  }
  log(
    `single appends: ours ${ours.map((v) => v.toFixed(0)).join(', ')}; raw ${raw.map((v) => v.toFixed(0)).join(', ')}`,
  );
  return ratioRow({
    id: 'append-single',
    what: `single-event appends through the store port (FULL, hash chain), median of ${ROUNDS}×${SINGLE_APPENDS}`,
    ours: { value: median(ours), unit: 'events/s' },
    baseline: { value: median(raw), unit: 'events/s', what: 'raw single-row FULL transactions' },
    bar: { kind: 'min', limit: 0.8, label: '≥ 0.8 of raw' },
  });
}

/** Untimed requests (rounds of them) by which the probe warms up before those it times. */
const WARMUP_ROUNDS = 5;

/** Median time to the last byte of `body` served `times` over by the bare server (see bare-server.ts). */
async function bareServerMs(root: string, work: string, body: string, times: number): Promise<number> {
  const file = join(work, 'snapshots-answer.json');
  writeFileSync(file, `${body}\n`);
  const bare = await startBareServer(root, file);
  try {
    const runs = await timedGets(
      root,
      Array.from({ length: times }, () => `${bare.url}/snapshots`),
      Array.from({ length: WARMUP_ROUNDS }, () => `${bare.url}/snapshots`),
    );
    const wrong = runs.find((run) => run.bytes !== Buffer.byteLength(body));
    if (wrong !== undefined) throw new Error(`the bare server sent ${wrong.bytes} bytes`);
    return median(runs.map((run) => run.ms));
  } finally {
    await bare.stop();
  }
}

async function measureState(work: string): Promise<ResultRow[]> {
  const store = SqliteEventStore.open(join(work, 'ours.db'));
  const raw = openRaw(join(work, 'raw.db'), 'FULL');
  const stream = streamNameOf(HOT_PAIR);
  const count = (await store.streamRevision(stream)) + 1;
  const ours: number[] = [];
  const baseline: number[] = [];
  const now = new Date().toISOString();
  for (let round = 0; round < 7; round++) {
    let started = performance.now();
    const rows = rawReadStream(raw, stream);
    baseline.push((performance.now() - started) / 1000);
    if (rows.length !== count)
      throw new Error(`raw read ${rows.length} rows of ${stream}, the store has ${count}`);
    // A fresh read model per round: the cache is cold, the answer needs read, decode and fold.
    const model = new CachedRelationReadModel(store, new MetricsService());
    started = performance.now();
    await model.state(HOT_PAIR, now.slice(0, 10), now);
    ours.push((performance.now() - started) / 1000);
  }
  // Warm: the same model answering random dates (checkpoints in place) and a past knownAt.
  const model = new CachedRelationReadModel(store, new MetricsService());
  await model.state(HOT_PAIR, now.slice(0, 10), now);
  const random = new Random(11);
  const warm: number[] = [];
  for (let i = 0; i < 200; i++) {
    const asOf = `${1950 + random.int(76)}-${String(1 + random.int(12)).padStart(2, '0')}-15`;
    const started = performance.now();
    await model.state(HOT_PAIR, asOf, now);
    warm.push(performance.now() - started);
  }
  const events = await model.events(HOT_PAIR);
  const pastKnownAt = events[Math.floor(events.length / 2)]!.recordedAt;
  const past: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await model.state(HOT_PAIR, '2000-06-30', pastKnownAt);
    past.push(performance.now() - started);
  }
  raw.close();
  await store.close();
  const oursRate = count / median(ours);
  const rawRate = count / median(baseline);
  log(
    `cold state: ${(median(ours) * 1000).toFixed(1)} ms; raw read+parse ${(median(baseline) * 1000).toFixed(1)} ms`,
  );
  return [
    ratioRow({
      id: 'state-cold',
      what: `state of a ${count.toLocaleString('en-US')}-event pair, cold cache (read, decode, fold)`,
      ours: { value: oursRate, unit: 'events/s' },
      baseline: { value: rawRate, unit: 'events/s', what: 'raw read + JSON.parse' },
      bar: { kind: 'min', limit: 0.5, label: '≥ 0.5 of raw' },
      note: `${(median(ours) * 1000).toFixed(1)} ms vs ${(median(baseline) * 1000).toFixed(1)} ms`,
    }),
    absoluteRow({
      id: 'state-warm',
      what: `state of the same pair, warm cache, random dates (in process, median)`,
      ours: { value: median(warm), unit: 'ms' },
    }),
    absoluteRow({
      id: 'state-past-known-at',
      what: 'state of the same pair with a past knownAt (exact refold of cached events, median)',
      ours: { value: median(past), unit: 'ms' },
    }),
  ];
}

/** A day of `years` years from `firstYear` (days 1–28), drawn from `random`. */
function randomDay(random: Random, firstYear = 1950, years = 76): string {
  return `${firstYear + random.int(years)}-${String(1 + random.int(12)).padStart(2, '0')}-${String(1 + random.int(28)).padStart(2, '0')}`;
}

/** GET state of a random one of `pairs` at a random date. */
function statePath(pairs: readonly PairId[], random: Random): string {
  return `/api/relations/${pairs[random.int(pairs.length)]!}/state?asOf=${randomDay(random)}`;
}

async function alternate(
  rounds: number,
  a: () => Promise<LoadResult>,
  b: () => Promise<LoadResult>,
): Promise<[LoadResult[], LoadResult[]]> {
  const first: LoadResult[] = [];
  const second: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    first.push(await a());
    second.push(await b());
  }
  return [first, second];
}

/**
 * The service's /metrics as read at one moment: `value('name')` or `value('name{label="x"}')` is
 * that series' value (NaN when absent). Reading it resets the event-loop delay histogram behind
 * the `nodejs_eventloop_lag_*` gauges (prom-client does on every collect), so those gauges tell
 * of the time since the last read.
 */
async function readMetrics(url: string): Promise<(series: string) => number> {
  const text = (await get(`${url}/metrics`)).body;
  return (series) => {
    const escaped = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  };
}

/** What the server's garbage collector and event loop did over some runs, from its /metrics. */
interface PauseAccount {
  /** Full (mark-compact) collections, and their pauses' total. */
  majorCount: number;
  majorMs: number;
  /** Scavenges of the young generation: their pauses' total. */
  minorMs: number;
  /**
   * The pauses V8 reports for incremental marking itself (starting it), in total: the marking
   * steps it then interleaves with the answers are in neither figure, only in the stalls.
   */
  incrementalMs: number;
  /** The longest the event loop was held up beyond its timer's resolution (10 ms), in any run. */
  longestStallMs: number;
}

/** Node's default resolution of `monitorEventLoopDelay`, which every delay it records includes. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * `run` with an account of the collector's pauses during it, from /metrics read just before and
 * just after (outside the load's window, which opens once every connection has answered, so the
 * account also covers those first answers).
 */
async function withPauses<T>(url: string, run: () => Promise<T>): Promise<[T, PauseAccount]> {
  const gc = (kind: string, of: 'count' | 'sum') => `nodejs_gc_duration_seconds_${of}{kind="${kind}"}`;
  const before = await readMetrics(url);
  const result = await run();
  const after = await readMetrics(url);
  // A kind not yet seen has no series: none before means zero.
  const grew = (series: string, scale: number): number =>
    ((after(series) || 0) - (before(series) || 0)) * scale;
  return [
    result,
    {
      majorCount: grew(gc('major', 'count'), 1),
      majorMs: grew(gc('major', 'sum'), 1000),
      minorMs: grew(gc('minor', 'sum'), 1000),
      incrementalMs: grew(gc('incremental', 'sum'), 1000),
      longestStallMs: Math.max(
        0,
        after('nodejs_eventloop_lag_max_seconds') * 1000 - EVENT_LOOP_RESOLUTION_MS,
      ),
    },
  ];
}

/** The accounts of several runs as one. */
function addPauses(accounts: readonly PauseAccount[]): PauseAccount {
  const sum = (key: keyof PauseAccount) => accounts.reduce((total, a) => total + a[key], 0);
  return {
    majorCount: sum('majorCount'),
    majorMs: sum('majorMs'),
    minorMs: sum('minorMs'),
    incrementalMs: sum('incrementalMs'),
    longestStallMs: Math.max(...accounts.map((a) => a.longestStallMs)),
  };
}

function describePauses(pauses: PauseAccount): string {
  return (
    `${pauses.majorCount} full garbage collection${pauses.majorCount === 1 ? '' : 's'} (${pauses.majorMs.toFixed(0)} ms of pauses in all), ` +
    `scavenges ${pauses.minorMs.toFixed(0)} ms, incremental marking ${pauses.incrementalMs.toFixed(0)} ms; ` +
    `the event loop's longest delay ${pauses.longestStallMs.toFixed(0)} ms (beyond its ${EVENT_LOOP_RESOLUTION_MS} ms timer)`
  );
}

function average(
  results: readonly LoadResult[],
  key: 'requestsPerSecond' | 'serverCpuUsPerRequest' | 'connectMs',
): number {
  return results.reduce((sum, r) => sum + (r[key] ?? Number.NaN), 0) / results.length;
}

/**
 * The floor under GET state: the same kind of answers (500 of them, asked of the service at random
 * dates on the same pairs) served again by a bare `node:http` server in a process of its own, with
 * nothing computed, at the same concurrency; beside it, that server's answer of /health's size.
 * It shows what the answers' bytes and HTTP cost alone, against the service's /health.
 */
async function stateFloor(
  root: string,
  work: string,
  url: string,
  pairs: readonly PairId[],
  seconds: number,
  healthRps: number,
): Promise<ResultRow> {
  // A generator of its own, so that the service's measurements ask the same questions with or without this one.
  const random = new Random(9);
  const answers: string[] = [];
  for (let i = 0; i < 500; i++) {
    const res = await get(`${url}${statePath(pairs, random)}`);
    if (res.status !== 200) throw new Error(`GET state: ${res.status} ${res.body.slice(0, 300)}`);
    answers.push(res.body);
  }
  const file = join(work, 'state-answers.ndjson');
  writeFileSync(file, `${answers.join('\n')}\n`);
  const meanKb = answers.reduce((sum, answer) => sum + Buffer.byteLength(answer), 0) / answers.length / 1e3;
  const bare = await startBareServer(root, file);
  try {
    const of = (path: string) => (): Promise<LoadResult> =>
      load({ url: bare.url, connections: 50, seconds, path: () => path, pid: bare.pid });
    const [answerRuns, healthRuns] = await alternate(2, of('/state'), of('/health'));
    const answerRps = average(answerRuns, 'requestsPerSecond');
    const answerCpuUs = average(answerRuns, 'serverCpuUsPerRequest');
    const tinyRps = average(healthRuns, 'requestsPerSecond');
    const tinyCpuUs = average(healthRuns, 'serverCpuUsPerRequest');
    log(
      `bare server: the same answers ${answerRps.toFixed(0)} req/s (${answerCpuUs.toFixed(0)} µs of CPU each), ` +
        `a /health-sized body ${tinyRps.toFixed(0)} req/s`,
    );
    return ratioRow({
      id: 'http-state-floor',
      what: `the same state answers (${meanKb.toFixed(1)} kB on average) from a bare node:http server, nothing computed, 50 connections`,
      ours: { value: answerRps, unit: 'req/s' },
      baseline: { value: healthRps, unit: 'req/s', what: "the service's GET /health" },
      note:
        `${answerCpuUs.toFixed(0)} µs of CPU per answer; a body of /health's size from the same bare ` +
        `server: ${tinyRps.toFixed(0)} req/s, ${tinyCpuUs.toFixed(0)} µs`,
    });
  } finally {
    await bare.stop();
  }
}

async function measureHttp(
  root: string,
  work: string,
  options: Options,
  pairs: readonly PairId[],
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const dbFile = join(work, 'ours.db');
  const stored = (await countEvents(dbFile)).toLocaleString('en-US');
  log(`starting the server on ${stored} stored events`);
  const server = await startServer(root, dbFile);
  try {
    rows.push(
      absoluteRow({
        id: 'start',
        what: `server start with ${stored} events stored, until /health answers`,
        ours: { value: server.startMs, unit: 'ms' },
        bar: { kind: 'max', limit: 5000, label: '≤ 5,000 ms' },
      }),
    );
    const now = (): string => new Date().toISOString();
    // Every pair once, ten at a time: what an index page over all pairs costs, and the memory it leaves.
    const everyPairMs = await askEveryPair(server.url, pairs);
    const rss = rssMb(server.process.pid!);
    rows.push(
      absoluteRow({
        id: 'rss',
        what: `RSS after querying every pair (${pairs.length} pairs in ${(everyPairMs / 1000).toFixed(1)} s; heap limit ${SERVER_HEAP_MB} MB)`,
        ours: { value: rss, unit: 'MB' },
        bar: { kind: 'max', limit: 512, label: '≤ 512 MB' },
      }),
    );
    log(`every pair queried in ${(everyPairMs / 1000).toFixed(1)} s; RSS ${rss.toFixed(0)} MB`);

    const random = new Random(5);
    // Pairs the cache holds after the pass above (the most recently queried; the cache keeps
    // 80,000 events, about 80 pairs of this workload at a million events).
    const hotSet = pairs.slice(-60);
    const health = (): Promise<LoadResult> =>
      load({
        url: server.url,
        connections: 50,
        seconds: options.seconds,
        path: () => '/health',
        pid: server.process.pid,
      });
    const stateOf = (set: readonly PairId[], connectTimeoutSeconds?: number) => (): Promise<LoadResult> =>
      load({
        url: server.url,
        connections: 50,
        seconds: options.seconds,
        path: () => statePath(set, random),
        pid: server.process.pid,
        connectTimeoutSeconds,
      });
    // Both paths warmed before they are measured: the JIT on each, and the read model's
    // checkpoints on the pairs asked (those that hold back uncertain items are made as questions
    // reach them), as on a server that has been answering for a while. Its own random sequence,
    // so that the measured runs ask what they asked before.
    await load({ url: server.url, connections: 50, seconds: 2, path: () => '/health' });
    const warmup = new Random(6);
    await load({ url: server.url, connections: 50, seconds: 5, path: () => statePath(hotSet, warmup) });
    // The collector's pauses in GET state's measured runs, to read its p99 by.
    const statePauses: PauseAccount[] = [];
    const measuredState = async (): Promise<LoadResult> => {
      const [result, pauses] = await withPauses(server.url, stateOf(hotSet));
      statePauses.push(pauses);
      return result;
    };
    const [healthRuns, stateRuns] = await alternate(2, health, measuredState);
    const pauses = addPauses(statePauses);
    const healthRps = average(healthRuns, 'requestsPerSecond');
    const stateRps = average(stateRuns, 'requestsPerSecond');
    const p99 = Math.max(...stateRuns.map((r) => r.p99Ms));
    const healthP99 = Math.max(...healthRuns.map((r) => r.p99Ms));
    const failures = stateRuns.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    const healthCpuUs = average(healthRuns, 'serverCpuUsPerRequest');
    const stateCpuUs = average(stateRuns, 'serverCpuUsPerRequest');
    const connectMs = Math.max(...[...healthRuns, ...stateRuns].map((r) => r.connectMs ?? 0));
    log(
      `health ${healthRps.toFixed(0)} req/s (${healthCpuUs.toFixed(0)} µs of server CPU each); ` +
        `state ${stateRps.toFixed(0)} req/s (${stateCpuUs.toFixed(0)} µs each), p99 ${p99.toFixed(1)} ms, ` +
        `${failures} failures; all 50 connections answered within ${connectMs.toFixed(0)} ms of each run's start; ` +
        describePauses(pauses),
    );
    rows.push(
      ratioRow({
        id: 'http-state',
        what: `GET state, random dates on ${hotSet.length} random pairs, 50 connections`,
        ours: { value: stateRps, unit: 'req/s' },
        baseline: { value: healthRps, unit: 'req/s', what: 'GET /health' },
        bar: { kind: 'min', limit: 0.7, label: '≥ 0.7 of /health' },
        note: failures > 0 ? `${failures} failed requests` : undefined,
      }),
      absoluteRow({
        id: 'http-state-p99',
        what: 'GET state p99 latency (same run)',
        ours: { value: p99, unit: 'ms' },
        bar: { kind: 'max', limit: 20, label: '≤ 20 ms' },
        // The same server's simplest answer at the same concurrency: 50 connections on the core
        // the server shares with nothing but the load generator queue up whatever is asked, so
        // by Little's law a request waits 50 / throughput on average.
        note:
          `GET /health p99 in the same run: ${healthP99.toFixed(1)} ms; at 50 connections the mean ` +
          `wait is 50 / throughput: ${(50_000 / stateRps).toFixed(1)} ms for GET state, ` +
          `${(50_000 / healthRps).toFixed(1)} ms for /health; in GET state's runs, ${describePauses(pauses)}`,
      }),
      // What each answer costs the server, whatever share of the two cores the load generator
      // takes: the throughput the server would reach on a core of its own.
      ratioRow({
        id: 'http-state-cpu',
        what: 'GET state answers per second of server CPU (same runs)',
        ours: { value: 1e6 / stateCpuUs, unit: 'answers/s' },
        baseline: { value: 1e6 / healthCpuUs, unit: 'answers/s', what: 'GET /health' },
        note: `${stateCpuUs.toFixed(0)} µs vs ${healthCpuUs.toFixed(0)} µs of server CPU (user + system) per answer`,
      }),
    );
    rows.push(await stateFloor(root, work, server.url, hotSet, options.seconds, healthRps));
    // Each of these answers reads a pair from SQLite (~25 ms), so connecting all 50 takes ~30 s.
    const all = await stateOf(pairs, 90)();
    rows.push(
      absoluteRow({
        id: 'http-state-all-pairs',
        what: `GET state, random dates on all ${pairs.length} pairs (beyond the cache), 50 connections`,
        ours: { value: all.requestsPerSecond, unit: 'req/s' },
        note:
          `p99 ${all.p99Ms.toFixed(0)} ms; ${(all.requestsPerSecond / healthRps).toFixed(2)} of /health; ` +
          `${(all.serverCpuUsPerRequest! / 1000).toFixed(1)} ms of server CPU per answer; the last of the ` +
          `50 connections had its first answer after ${((all.connectMs ?? 0) / 1000).toFixed(1)} s (not measured)` +
          (all.connected === 50 ? '' : `; ${all.connected} of 50 had answered when measuring began`) +
          (all.errors + all.non2xx > 0 ? `; ${all.errors + all.non2xx} failed requests` : ''),
      }),
    );

    // Snapshots against one state, one request at a time on the large pair (cache warm), each
    // timed to its last byte. The series' 120 points are states of its ten years, so the state it
    // is weighed against is one of those: a random date within its range (the same dates in every
    // run: a sequence of its own). One state at a random date over the workload's 75 years is
    // smaller on average, and is reported beside it.
    const [firstYear, years] = [2015, 10];
    const seriesUrl = (fields = ''): string =>
      `${server.url}/api/relations/${HOT_PAIR}/snapshots?from=${firstYear}-01-01&to=${firstYear + years - 1}-12-31&every=month&knownAt=${now()}${fields}`;
    const inSeries = new Random(7);
    const anyDate = new Random(8);
    const stateUrl = (asOf: string): string =>
      `${server.url}/api/relations/${HOT_PAIR}/state?asOf=${asOf}&knownAt=${now()}`;
    // Asked in turn: one state within the series' range, the series, the series with fields=index
    // (the index alone at each point, as the web page asks for its chart), one state at any date;
    // five rounds to warm the probe up, then 21 timed.
    const rounds = (count: number): string[] =>
      Array.from({ length: count }, () => [
        stateUrl(randomDay(inSeries, firstYear, years)),
        seriesUrl(),
        seriesUrl('&fields=index'),
        stateUrl(randomDay(anyDate)),
      ]).flat();
    const untimed = rounds(WARMUP_ROUNDS);
    const [runs, roundsPauses] = await withPauses(server.url, () => timedGets(root, rounds(21), untimed));
    const nth = (k: number) => runs.filter((_, i) => i % 4 === k);
    const [oneStates, snapshotRuns, indexSeriesRuns, anyDateStates] = [nth(0), nth(1), nth(2), nth(3)];
    const series = await get(seriesUrl());
    const failed = runs.find((run) => run.status !== 200);
    if (failed !== undefined || series.status !== 200) {
      throw new Error(
        `GET state or snapshots answered ${failed?.status ?? series.status}: ${series.body.slice(0, 300)}`,
      );
    }
    if ((JSON.parse(series.body) as { snapshots: unknown[] }).snapshots.length !== 120) {
      throw new Error('the snapshots request did not answer 120 points');
    }
    const meanKb = (of: readonly { bytes: number }[]): number =>
      of.reduce((sum, run) => sum + run.bytes, 0) / of.length / 1e3;
    const stateMs = median(oneStates.map((run) => run.ms));
    const anyDateMs = median(anyDateStates.map((run) => run.ms));
    const snapshotsMs = median(snapshotRuns.map((run) => run.ms));
    const indexSeriesMs = median(indexSeriesRuns.map((run) => run.ms));
    const snapshotMb = snapshotRuns[0]!.bytes / 1e6;
    // What moving that many bytes costs with no work behind them: the same answer from the bare
    // server, forked like the service, fetched by the same probe.
    const floorMs = await bareServerMs(root, work, series.body, 21);
    // The same series as a browser would ask for it (brotli): what goes over a network.
    const compressed = await timedGets(
      root,
      Array.from({ length: 9 }, () => seriesUrl()),
      Array.from({ length: 2 }, () => seriesUrl()),
      'br',
    );
    if (compressed.some((run) => run.status !== 200) || compressed[0]!.bytes >= snapshotRuns[0]!.bytes) {
      throw new Error('the snapshots request with Accept-Encoding: br did not answer compressed');
    }
    rows.push(
      absoluteRow({
        id: 'http-snapshots',
        what: `GET snapshots, 120 monthly points on the ${HOT_PAIR} pair, vs one GET state at a date of the series' range (median of 21, to the last byte)`,
        ours: { value: snapshotsMs / stateMs, unit: '× one state' },
        bar: { kind: 'max', limit: 10, label: '≤ 10× one state' },
        note: `${snapshotsMs.toFixed(1)} ms vs ${stateMs.toFixed(1)} ms; ${snapshotMb.toFixed(1)} MB vs ${meanKb(oneStates).toFixed(0)} kB of JSON (${((snapshotMb * 1e3) / 120).toFixed(0)} kB a point); over all its rounds (the untimed first five included), ${describePauses(roundsPauses)}`,
      }),
      absoluteRow({
        id: 'http-snapshots-floor',
        what: `the same ${snapshotMb.toFixed(1)} MB from a bare node:http server, vs the same one GET state (median of 21)`,
        ours: { value: floorMs / stateMs, unit: '× one state' },
        note: `${floorMs.toFixed(1)} ms: the transfer alone, nothing computed`,
      }),
      absoluteRow({
        id: 'http-snapshots-any-date',
        what: `the same GET snapshots vs one GET state at a random date 1950–2025 (median of 21)`,
        ours: { value: snapshotsMs / anyDateMs, unit: '× one state' },
        note: `${anyDateMs.toFixed(1)} ms, ${meanKb(anyDateStates).toFixed(0)} kB of JSON: states before the series' years are smaller`,
      }),
      absoluteRow({
        id: 'http-snapshots-br',
        what: `the same GET snapshots asked with Accept-Encoding: br (median of 9, to the last byte)`,
        ours: { value: median(compressed.map((run) => run.ms)), unit: 'ms' },
        note: `${(compressed[0]!.bytes / 1e3).toFixed(0)} kB of brotli for the ${snapshotMb.toFixed(1)} MB of JSON, sent as they are in ${snapshotsMs.toFixed(1)} ms`,
      }),
      absoluteRow({
        id: 'http-snapshots-index',
        what: `GET snapshots, the same 120 points with fields=index, vs one GET state at a date of the series' range (median of 21)`,
        ours: { value: indexSeriesMs / stateMs, unit: '× one state' },
        note: `${indexSeriesMs.toFixed(1)} ms; ${(indexSeriesRuns[0]!.bytes / 1e3).toFixed(1)} kB of JSON`,
      }),
    );

    const appendPairs = pairs.slice(1, 11);
    const appends = await appendLoad({
      url: server.url,
      pairs: appendPairs,
      seconds: options.seconds,
      body: (pair, sequence) => {
        const [actor] = pair.split('-') as [string];
        return JSON.stringify({
          type: 'talks-held',
          date: '2025-06-15',
          actor,
          summary: `Benchmark talks number ${sequence} between the two delegations on trade and security.`,
          data: { level: 'working', format: 'video', outcome: `round ${sequence}` },
          sources: [
            { publisher: 'Benchmark Wire', url: `https://news.example.org/bench/${pair}/${sequence}` },
          ],
        });
      },
    });
    rows.push(
      absoluteRow({
        id: 'http-appends',
        what: 'HTTP appends, 10 concurrent clients on distinct pairs',
        ours: { value: appends.eventsPerSecond, unit: 'events/s' },
        note: `p50 ${appends.p50Ms.toFixed(1)} ms, p99 ${appends.p99Ms.toFixed(1)} ms, ${appends.non2xx + appends.errors} failed`,
      }),
      absoluteRow({
        id: 'http-appends-p99',
        what: 'HTTP appends p99 latency',
        ours: { value: appends.p99Ms, unit: 'ms' },
      }),
    );
    rows.push(
      absoluteRow({
        id: 'rss-end',
        what: 'RSS at the end of the HTTP measurements',
        ours: { value: rssMb(server.process.pid!), unit: 'MB' },
      }),
    );
  } finally {
    await server.stop();
  }
  return rows;
}

/** Asks every pair's state once, ten at a time; the time it took, in ms. */
async function askEveryPair(url: string, pairs: readonly PairId[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < pairs.length) {
        const pair = pairs[next++]!;
        const res = await get(`${url}/api/relations/${pair}/state?asOf=2025-12-31`);
        if (res.status !== 200)
          throw new Error(`GET state of ${pair}: ${res.status} ${res.body.slice(0, 300)}`);
      }
    }),
  );
  return performance.now() - started;
}

/**
 * GET state on all pairs from a server whose read-model cache has `cacheMb` (report only): what
 * `READ_MODEL_CACHE_MB` buys on a machine with the memory for it.
 */
async function measureLargeCache(
  root: string,
  work: string,
  options: Options & { cacheMb: number },
  pairs: readonly PairId[],
): Promise<ResultRow> {
  const heapMb = heapForCache(options.cacheMb);
  log(`starting a server with READ_MODEL_CACHE_MB=${options.cacheMb} (heap limit ${heapMb} MB)`);
  const server = await startServer(root, join(work, 'ours.db'), { cacheMb: options.cacheMb });
  try {
    const everyPairMs = await askEveryPair(server.url, pairs);
    const rss = rssMb(server.process.pid!);
    const gauge = await readMetrics(server.url);
    const heldPairs = gauge('relations_read_model_cached_pairs');
    const heldEvents = gauge('relations_read_model_cached_events');
    // Warmed as the hot pairs are, but longer: a pair's checkpoints come with its second question,
    // and those that hold events back as dates reach them (~250 a pair), so a thousand pairs take
    // some 100,000 questions to settle. Measured by hand after every pair was asked once: 800
    // answers a second in the first 5 s (1.5 ms of CPU each), 1,800 in the next, ~2,500 from 15 s on.
    const warmup = new Random(8);
    await load({
      url: server.url,
      connections: 50,
      seconds: LARGE_CACHE_WARMUP_SECONDS,
      path: () => statePath(pairs, warmup),
    });
    // Questions the cache could not answer in the measured run: each reads its pair from the store.
    const MISSES = 'relations_read_model_cache_misses_total';
    const missesBefore = (await readMetrics(server.url))(MISSES);
    const random = new Random(7);
    const result = await load({
      url: server.url,
      connections: 50,
      seconds: options.seconds,
      path: () => statePath(pairs, random),
      pid: server.process.pid,
    });
    const misses = (await readMetrics(server.url))(MISSES) - missesBefore;
    const failures = result.errors + result.non2xx;
    log(
      `large cache: ${heldPairs} pairs held after ${(everyPairMs / 1000).toFixed(1)} s, RSS ${rss.toFixed(0)} MB; ` +
        `GET state on all pairs ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, ${misses} cache misses`,
    );
    return absoluteRow({
      id: 'http-state-all-pairs-large-cache',
      what: `GET state, random dates on all ${pairs.length} pairs, READ_MODEL_CACHE_MB=${options.cacheMb} (heap limit ${heapMb} MB), 50 connections`,
      ours: { value: result.requestsPerSecond, unit: 'req/s' },
      note:
        `p99 ${result.p99Ms.toFixed(1)} ms; ${heldPairs} pairs (${heldEvents.toLocaleString('en-US')} events) ` +
        `held after every pair was asked once (${(everyPairMs / 1000).toFixed(1)} s); RSS ${rss.toFixed(0)} MB then, ` +
        `${rssMb(server.process.pid!).toFixed(0)} MB after a ${LARGE_CACHE_WARMUP_SECONDS} s warm-up and the measured run; ${result.serverCpuUsPerRequest!.toFixed(0)} µs of server CPU per answer; ` +
        `${misses} cache misses from the run's first question to its last (${result.requests} answers measured)` +
        (failures > 0 ? `; ${failures} failed requests` : ''),
    });
  } finally {
    await server.stop();
  }
}

async function countEvents(dbFile: string): Promise<number> {
  const db = openRaw(dbFile, 'NORMAL');
  try {
    return (db.prepare('SELECT count(*) FROM events').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, '..', '..');
  const wants = (part: string): boolean => options.only === undefined || options.only.has(part);
  const work = mkdtempSync(join(tmpdir(), 'relations-bench-'));
  const rows: ResultRow[] = [];
  const pairs = workloadPairs(1000);
  try {
    log(`generating ${options.events.toLocaleString('en-US')} events over ${pairs.length} pairs in ${work}`);
    const files = await writeWorkload(work, options.events);
    const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
    log(`${(bytes / 1e6).toFixed(0)} MB of NDJSON, ${(bytes / options.events).toFixed(0)} bytes per event`);
    if (wants('import') || wants('state') || wants('http'))
      rows.push(await measureImport(root, files, work, options.events));
    if (wants('append')) rows.push(await measureSingleAppends(work));
    if (wants('state')) rows.push(...(await measureState(work)));
    if (wants('http')) rows.push(...(await measureHttp(root, work, options, pairs)));
    if (wants('http') && options.cacheMb !== undefined)
      rows.push(await measureLargeCache(root, work, { ...options, cacheMb: options.cacheMb }, pairs));
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n`);
  for (const row of rows.filter((r) => r.note)) process.stdout.write(`- ${row.what}: ${row.note}\n`);
  const results = {
    ranAt: new Date().toISOString(),
    command: ['npm run bench --', ...process.argv.slice(2)].join(' '),
    events: options.events,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    rows,
    pass: rows.every((row) => row.pass !== false),
    table,
  };
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote bench/results.json; ${results.pass ? 'every bar holds' : 'some bars do not hold'}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
