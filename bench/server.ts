/**
 * The service as the benchmark sees it: a real child process (`node dist/src/main.js`) on a SQLite
 * file, driven over HTTP by autocannon from this process.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

/** Starts `dist/src/main.js` on `dbFile` and waits until `/health` answers 200. */
export async function startServer(root: string, dbFile: string, timeoutMs = 60_000): Promise<RunningServer> {
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
      NODE_OPTIONS: `--max-old-space-size=${SERVER_HEAP_MB}`,
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
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
}

/** autocannon GETs against `url` with `connections` for `seconds`; `path` picks each request's path. */
export async function load(options: {
  url: string;
  connections: number;
  seconds: number;
  path: () => string;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          req.path = options.path();
          return req;
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
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
