/**
 * A small HTTP client on `node:http`, for tests that need what `fetch` hides: exact bytes of the
 * body, any header value Node lets through, paths sent as written, a per-request timeout, and
 * long-lived answers (Server-Sent Events) cut after the headers.
 */
import { Agent, request as nodeRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  method: string;
  /** Sent as written (already percent-encoded where needed). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  agent?: Agent;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from sending to the end of the body. */
  elapsedMs: number;
  /** True when the body was cut short on purpose (an event stream). */
  truncated: boolean;
}

/** The answer as text; `json()` parses it. */
export function text(response: HttpResponse): string {
  return response.body.toString('utf8');
}

export function json<T = unknown>(response: HttpResponse): T {
  return JSON.parse(text(response)) as T;
}

/** Bodies larger than this are not kept (only counted): no endpoint should answer that much to a test. */
const MAX_KEPT_BODY = 256 * 1024 * 1024;

export function httpRequest(baseUrl: string, options: HttpRequest): Promise<HttpResponse> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolveResponse, reject) => {
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    if (
      options.body !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')
    ) {
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const req = nodeRequest({
      host: url.hostname,
      port: url.port,
      method: options.method,
      path: options.path,
      headers,
      agent: options.agent ?? false,
    });
    const timeoutMs = options.timeoutMs ?? 30_000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`No answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.startsWith('text/event-stream')) {
        // A live stream never ends by itself: its headers are the answer.
        res.destroy();
        resolveResponse({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.alloc(0),
          elapsedMs: performance.now() - started,
          truncated: true,
        });
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_KEPT_BODY) chunks.push(chunk);
      });
      // Distinguishable from a refused or reset connection: the answer had begun.
      res.on('error', (error) =>
        reject(new Error(`answer cut after headers (${res.statusCode}): ${error.message}`)),
      );
      res.on('end', () =>
        resolveResponse({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          elapsedMs: performance.now() - started,
          truncated: size > MAX_KEPT_BODY,
        }),
      );
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** JSON request helper for the ordinary cases: serialises `body`, sets the bearer token. */
export function jsonRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
    agent?: Agent;
  } = {},
): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  return httpRequest(baseUrl, {
    method,
    path,
    headers,
    body,
    timeoutMs: options.timeoutMs,
    agent: options.agent,
  });
}
