/**
 * The service as the benchmark sees it: a real child process (`node dist/src/main.js`) on a SQLite
 * file, driven over HTTP by autocannon from this process.
 */
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { heapLimitForCache } from '../src/read-model/cached-relation-read-model';
import type { ProbeRequest, TimedGet } from './probe';
import { percentile } from './report';

/**
 * The V8 heap limit the benchmark gives the server. Left to its default (a quarter of the
 * machine's memory), V8 lets garbage pile up to gigabytes before collecting it in earnest; the
 * live heap on a million events with a full read-model cache is ~250 MB.
 */
export const SERVER_HEAP_MB = 384;

/** The admin token the benchmark configures its server with. */
export const BENCH_TOKEN = 'bench-token-0123456789';

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Milliseconds from spawning the process until `/health` first answered 200. */
  startMs: number;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One GET, resolving with the status code and body text. */
export function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts `dist/src/main.js` on `dbFile` and waits until `/health` answers 200. With `cacheMb`, the
 * read model's cache gets that budget (`READ_MODEL_CACHE_MB`) and the heap room it needs beside it.
 */
export async function startServer(
  root: string,
  dbFile: string,
  { timeoutMs = 60_000, cacheMb }: { timeoutMs?: number; cacheMb?: number } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EVENT_STORE: `sqlite:${dbFile}`,
      SEED: 'none',
      API_TOKENS: `bench:admin:${BENCH_TOKEN}`,
      LOG_LEVEL: 'error',
      WRITE_RATE_LIMIT: '100000000',
      NODE_ENV: 'production',
      NODE_OPTIONS: `--max-old-space-size=${cacheMb === undefined ? SERVER_HEAP_MB : heapForCache(cacheMb)}`,
      ...(cacheMb === undefined ? {} : { READ_MODEL_CACHE_MB: String(cacheMb) }),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  for (;;) {
    if (exited !== null) throw new Error(`the server exited with code ${exited} before answering /health`);
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within ${timeoutMs} ms`);
    }
    const ok = await get(`${url}/health`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startMs = performance.now() - started;
  return {
    url,
    port,
    process: child,
    startMs,
    stop: () => stopChild(child),
  };
}

/** The heap limit (MB) for a cache of `cacheMb`: the service's least, with 128 MB to spare. */
export function heapForCache(cacheMb: number): number {
  return heapLimitForCache(cacheMb) + 128;
}

/** Sends SIGTERM to `child` and resolves once it exited; SIGKILL if it still runs after 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** The first message a forked `child` (`who`) sends; rejected if it fails or exits before (`before`). */
function firstMessage(child: ChildProcess, who: string, before: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${who} exited (${code}) before ${before}`)));
  });
}

/**
 * Forks `dist/bench/bare-server.js` serving the answers in `answersFile` (one per line) and waits
 * until it listens.
 */
export async function startBareServer(
  root: string,
  answersFile: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = fork(join(root, 'dist/bench/bare-server.js'), [answersFile], { stdio: 'inherit' });
  const port = Number(await firstMessage(child, 'the bare server', 'listening'));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

/**
 * Fetches `urls` one after another from the probe (`dist/bench/probe.js`, forked for the purpose),
 * each timed to its last byte, after fetching `warmup` (untimed): a fresh probe receives its first
 * large answers several times slower than later ones (its own code not yet compiled), which would
 * be timed as the server's.
 */
export async function timedGets(
  root: string,
  urls: readonly string[],
  warmup: readonly string[] = [],
  acceptEncoding?: string,
): Promise<TimedGet[]> {
  const child = fork(join(root, 'dist/bench/probe.js'), [], { stdio: 'inherit' });
  try {
    const answer = firstMessage(child, 'the probe', 'answering');
    child.send({ warmup, urls, acceptEncoding } satisfies ProbeRequest);
    return (await answer) as TimedGet[];
  } finally {
    await stopChild(child);
  }
}

/** Resident set size of a process in MB, from `/proc` (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Throughput and latency of one load run. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) per answer in the measured window, when the server's pid was given. */
  serverCpuUsPerRequest?: number;
  /** From the start until every connection had its first answer (the measured window's start). */
  connectMs?: number;
  /** Connections that had answered when the window opened (fewer than asked if it opened on timeout). */
  connected?: number;
}

/** CPU time (user + system) a process has used, in ms, from `/proc` (Linux; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * autocannon GETs against `url` with `connections` for `seconds`; `path` picks each request's path.
 *
 * Only the steady state is measured: the window opens once every connection has had its first
 * answer. All connections are opened at once, and a Node server busy answering accepts about one
 * new connection per turn of its event loop, so the last of 50 can wait seconds before its first
 * request is even read (on a million events, GET state over all pairs waited up to 10 s). That
 * wait is the cost of connecting to a saturated server, not of answering; counting it would put
 * the first 50 requests at the top of the latency tail. How long it took is reported
 * (`connectMs`). With `pid`, the server's CPU time over the window is reported per answer.
 */
export function load(options: {
  url: string;
  connections: number;
  seconds: number;
  path: () => string;
  pid?: number;
  /** Longest wait for every connection's first answer before measuring anyway. */
  connectTimeoutSeconds?: number;
}): Promise<LoadResult> {
  const connectTimeout = options.connectTimeoutSeconds ?? 30;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const answered = new Set<unknown>();
  const started = performance.now();
  let window: { start: number; cpu: number; connected: number } | undefined;
  let result: Omit<LoadResult, 'p50Ms' | 'p99Ms'> | undefined;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        // Stopped by the window's end; this only bounds a run whose connections never all answer.
        duration: connectTimeout + options.seconds + 5,
        // A first request may wait as long as connecting takes; autocannon's default of 10 s
        // would time it out and reconnect, to the back of the queue of connections to accept.
        timeout: connectTimeout,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              req.path = options.path();
              return req;
            },
          },
        ],
      },
      (error) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        if (!result || latencies.length === 0) {
          return reject(new Error(`no answer in the measured window of ${options.url}`));
        }
        resolve({ ...result, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) });
      },
    );
    const open = (): void => {
      if (window) return;
      clearTimeout(connectTimer);
      window = {
        start: performance.now(),
        cpu: options.pid === undefined ? 0 : cpuMs(options.pid),
        connected: answered.size,
      };
      setTimeout(close, options.seconds * 1000);
    };
    const close = (): void => {
      const seconds = (performance.now() - window!.start) / 1000;
      const requests = latencies.length;
      result = {
        requestsPerSecond: requests / seconds,
        requests,
        errors,
        non2xx,
        connectMs: window!.start - started,
        connected: window!.connected,
        serverCpuUsPerRequest:
          options.pid === undefined || requests === 0
            ? undefined
            : ((cpuMs(options.pid) - window!.cpu) * 1000) / requests,
      };
      instance.stop();
    };
    const connectTimer = setTimeout(open, connectTimeout * 1000);
    instance.on('response', (client: unknown, statusCode: number, _bytes: number, ms: number) => {
      if (result) return;
      if (!window) {
        answered.add(client);
        if (answered.size === options.connections) open();
        return;
      }
      latencies.push(ms);
      if (statusCode < 200 || statusCode >= 300) non2xx++;
    });
    instance.on('reqError', () => {
      if (window && !result) errors++;
    });
  });
}

/**
 * `pairs.length` concurrent clients, each appending to its own pair one request after another for
 * `seconds` over a keep-alive connection. autocannon resets per-connection state on every request,
 * so a small loop is simpler than bending it to one pair per client.
 */
export async function appendLoad(options: {
  url: string;
  pairs: readonly string[];
  seconds: number;
  body: (pair: string, sequence: number) => string;
}): Promise<LoadResult & { eventsPerSecond: number }> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const until = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    options.pairs.map(async (pair) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let sequence = 0; performance.now() < until; sequence++) {
        const body = options.body(pair, sequence);
        const sent = performance.now();
        const status = await post(`${options.url}/api/relations/${pair}/events`, body, agent).catch(() => -1);
        latencies.push(performance.now() - sent);
        if (status === -1) errors++;
        else if (status < 200 || status >= 300) non2xx++;
      }
      agent.destroy();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = latencies.length - non2xx - errors;
  return {
    requestsPerSecond: latencies.length / seconds,
    eventsPerSecond: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    errors,
    non2xx,
  };
}

function post(url: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${BENCH_TOKEN}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
