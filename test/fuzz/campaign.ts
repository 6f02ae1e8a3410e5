/**
 * Runs a fuzz campaign against a live server child process and checks, for every answer, what the
 * service promises under bad input: never a 5xx, every 4xx an RFC 9457 problem document, no stack
 * trace, internal path or file content in an error, the process alive, its memory bounded.
 * fast-check drives the cases, so a failure is shrunk and reported with its seed and path.
 */
import { Agent } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { httpRequest, type HttpResponse } from '../reliability/http-client';
import type { ServerProcess } from '../reliability/server-process';
import { describeCase, fuzzCase, type FuzzCase, type FuzzContext } from './cases';

export interface CampaignOptions {
  server: ServerProcess;
  context: FuzzContext;
  cases: number;
  seed: number;
  /** Fails the campaign when the server's RSS exceeds this (default 512 MiB, the quality bar). */
  maxRssMiB?: number;
  /** Called every `progressEvery` cases with the count done so far. */
  onProgress?: (done: number, report: CampaignReport) => void;
  progressEvery?: number;
}

export interface CampaignReport {
  seed: number;
  cases: number;
  /** Requests sent, shrinking included. */
  requests: number;
  statuses: Record<string, number>;
  labels: Record<string, number>;
  /** Answers by their Content-Encoding (`identity` when none). */
  codings: Record<string, number>;
  rssStartKiB: number | undefined;
  rssEndKiB: number | undefined;
  rssPeakKiB: number;
  durationMs: number;
  /** fast-check's report of the first failing case (shrunk), when there was one. */
  failure?: string;
}

/** What an error answer must never contain: stack frames, file system paths, files' contents. */
const LEAKS: ReadonlyArray<[RegExp, string]> = [
  [/\n\s+at \S/, 'a stack trace'],
  [/\bat [\w.<>$]+ \(.*:\d+:\d+\)/, 'a stack frame'],
  [/\/(work|home|root|usr|tmp|opt|var)\//, 'a file system path'],
  [/node_modules/, 'a node_modules path'],
  [/dist\/src|\.ts:\d+/, 'a source path'],
  [/root:x:0:0/, 'the contents of /etc/passwd'],
  [/"devDependencies"/, 'the contents of package.json'],
  [/SqliteError|SQLITE_|TypeError|RangeError|ReferenceError/, 'an internal error name'],
];

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The first leak in `text` that the request itself did not bring: an answer may echo the
 * client's own path or input (e.g. in `instance`), which reveals nothing.
 */
function findLeak(c: FuzzCase, text: string, leaks: ReadonlyArray<[RegExp, string]>): string | undefined {
  const sent = [c.path, safeDecode(c.path), c.body ?? '', ...Object.values(c.headers)].join('\n');
  for (const [pattern, what] of leaks) {
    const match = pattern.exec(text);
    if (match !== null && !sent.includes(match[0].trim())) return what;
  }
  return undefined;
}

/** How to undo each content coding a client may ask for. */
const DECODERS: Readonly<Record<string, (body: Buffer) => Buffer>> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * Whether `coding` is one the request's `Accept-Encoding` allows: named, or covered by `*`, and
 * not refused with a weight of zero or less. A weight that is not a number (`q=abc`, `q=`) is
 * read as allowing, as lenient servers read it, so only an answer the client plainly refused, or
 * never offered to take, is a failure.
 */
export function acceptsCoding(headers: Readonly<Record<string, string>>, coding: string): boolean {
  const name = Object.keys(headers).find((h) => h.toLowerCase() === 'accept-encoding');
  if (name === undefined) return false;
  const weights = new Map<string, number>();
  for (const item of headers[name]!.split(',')) {
    const [token = '', ...params] = item.split(';').map((part) => part.trim());
    if (token === '') continue;
    const q = params.find((param) => /^q\s*=/i.test(param));
    const weight = q === undefined ? 1 : Number.parseFloat(q.slice(q.indexOf('=') + 1));
    weights.set(token.toLowerCase(), Number.isNaN(weight) ? 1 : weight);
  }
  const weight = weights.get(coding) ?? weights.get('*');
  return weight !== undefined && weight > 0;
}

/** The answer's content coding, `identity` when it names none. */
function contentCoding(response: HttpResponse): string {
  const coding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  return coding === '' ? 'identity' : coding;
}

/**
 * The answer's body with its content coding undone; a string when the coding is wrong (one the
 * request did not accept, an unknown one, or bytes that do not decode as it).
 */
function decodedBody(c: FuzzCase, response: HttpResponse): Buffer | string {
  const coding = contentCoding(response);
  if (coding === 'identity') return response.body;
  if (!acceptsCoding(c.headers, coding)) {
    return `answered ${response.status} with Content-Encoding ${coding}, which the request did not accept`;
  }
  const decode = DECODERS[coding];
  if (decode === undefined) return `answered ${response.status} with an unknown Content-Encoding ${coding}`;
  if (c.method === 'HEAD' || response.status === 204 || response.status === 304) return response.body;
  try {
    return decode(response.body);
  } catch (error) {
    return `answered ${response.status} with a body that does not decode as ${coding}: ${(error as Error).message}`;
  }
}

/** Checks one answer against the bad-input promises; returns what is wrong, or undefined. */
export function checkAnswer(c: FuzzCase, response: HttpResponse): string | undefined {
  if (response.status >= 500)
    return `answered ${response.status}: ${response.body.toString('utf8').slice(0, 500)}`;
  const decoded = decodedBody(c, response);
  if (typeof decoded === 'string') return decoded;
  const body = decoded.toString('utf8');
  // Files outside the web root must never be served, whatever the status.
  const served = findLeak(c, body, LEAKS.slice(5, 7));
  if (served !== undefined) return `served ${served}`;
  const type = String(response.headers['content-type'] ?? '');
  if (response.status < 400) {
    // A JSON answer arrives whole: it parses (its content coding undone).
    const whole = (response.status === 200 || response.status === 201) && c.method !== 'HEAD';
    if (whole && type.startsWith('application/json') && !response.truncated) {
      try {
        JSON.parse(body);
      } catch {
        return `answered ${response.status} with JSON that does not parse: ${body.slice(0, 200)}`;
      }
    }
    return undefined;
  }
  if (!type.startsWith('application/problem+json')) {
    return `answered ${response.status} with content-type "${type}", not application/problem+json: ${body.slice(0, 200)}`;
  }
  if (c.method === 'HEAD') return undefined;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return `answered ${response.status} with a problem document that is not JSON: ${body.slice(0, 200)}`;
  }
  const problem = document as { type?: unknown; title?: unknown; status?: unknown; instance?: unknown };
  if (
    typeof problem.type !== 'string' ||
    typeof problem.title !== 'string' ||
    problem.status !== response.status
  ) {
    return `answered ${response.status} with a problem document lacking type/title/status: ${body.slice(0, 300)}`;
  }
  const { instance: _ownPath, ...rest } = problem;
  const leak = findLeak(c, JSON.stringify(rest), LEAKS);
  if (leak !== undefined) return `error answer contains ${leak}: ${body.slice(0, 500)}`;
  return undefined;
}

/** Runs the campaign; resolves with the report (with `failure` set when a case broke a promise). */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const { server } = options;
  const maxRssKiB = (options.maxRssMiB ?? 512) * 1024;
  const progressEvery = options.progressEvery ?? 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  const report: CampaignReport = {
    seed: options.seed,
    cases: 0,
    requests: 0,
    statuses: {},
    labels: {},
    codings: {},
    rssStartKiB: server.rssKiB(),
    rssEndKiB: undefined,
    rssPeakKiB: server.rssKiB() ?? 0,
    durationMs: 0,
  };
  let shrinking = false;

  const property = fc.asyncProperty(fuzzCase(options.context), async (c) => {
    if (!server.alive) throw new Error(`the server died:\n${server.log.slice(-3000)}`);
    report.requests += 1;
    let response: HttpResponse;
    try {
      response = await httpRequest(server.url, { ...c, agent, timeoutMs: 30_000 });
    } catch (error) {
      // A reset connection is fine only when the server refused the request on purpose and lives on.
      await new Promise((r) => setTimeout(r, 50));
      if (!server.alive) throw new Error(`the server died on this request:\n${server.log.slice(-3000)}`);
      throw new Error(`no answer: ${(error as Error).message}`);
    }
    if (!shrinking) {
      report.cases += 1;
      report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
      report.labels[c.label] = (report.labels[c.label] ?? 0) + 1;
      const coding = contentCoding(response);
      report.codings[coding] = (report.codings[coding] ?? 0) + 1;
    }
    const problem = checkAnswer(c, response);
    if (problem !== undefined) {
      shrinking = true;
      throw new Error(problem);
    }
    if (report.requests % 100 === 0) {
      const rss = server.rssKiB();
      if (rss !== undefined) {
        report.rssPeakKiB = Math.max(report.rssPeakKiB, rss);
        if (rss > maxRssKiB) {
          shrinking = true;
          throw new Error(`server RSS ${Math.round(rss / 1024)} MiB exceeds ${options.maxRssMiB ?? 512} MiB`);
        }
      }
    }
    if (report.cases % progressEvery === 0 && !shrinking) options.onProgress?.(report.cases, report);
  });

  try {
    await fc.assert(property, {
      numRuns: options.cases,
      seed: options.seed,
      endOnFailure: false,
      verbose: 0,
    });
  } catch (error) {
    report.failure = (error as Error).message;
  } finally {
    agent.destroy();
    report.durationMs = performance.now() - started;
    report.rssEndKiB = server.rssKiB();
    if (report.rssEndKiB !== undefined) report.rssPeakKiB = Math.max(report.rssPeakKiB, report.rssEndKiB);
  }
  if (report.failure === undefined && !server.alive) report.failure = 'the server is no longer running';
  return report;
}

/** A one-paragraph, human-readable summary of a campaign. */
export function formatReport(report: CampaignReport): string {
  const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
  const statuses = Object.entries(report.statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const counts = (of: Record<string, number>) =>
    Object.entries(of)
      .map(([name, count]) => `${name}: ${count}`)
      .join(', ');
  return [
    `fuzz campaign seed ${report.seed}: ${report.cases} cases (${report.requests} requests) in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  kinds: ${counts(report.labels)}`,
    `  statuses: ${statuses}`,
    `  content codings: ${counts(report.codings)}`,
    `  server RSS: start ${mib(report.rssStartKiB)}, end ${mib(report.rssEndKiB)}, peak ${mib(report.rssPeakKiB)}`,
    report.failure === undefined ? '  result: every answer kept the promises' : `  FAILED: ${report.failure}`,
  ].join('\n');
}

export { describeCase };
