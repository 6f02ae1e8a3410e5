import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';

const API_PREFIXES = ['/api', '/health', '/metrics'];

/** The Server-Sent Events stream, which stays open until its client leaves. */
const LIVE_PATH = '/api/live';

/** Whether `path` is the live event stream's (a trailing slash is the same address). */
export function isLiveStream(path: string): boolean {
  return path === LIVE_PATH || path === `${LIVE_PATH}/`;
}

/** Paths polled by probes and scrapers: answered with a request id, never logged. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/** Whether `path` belongs to the API (not the web page's files). */
export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Honours a sane incoming `X-Request-Id` (else a UUID) and echoes it back. */
function requestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

/** The path of a request as sent, without its query. */
export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The request log: every API request gets an id (`X-Request-Id`), and once answered one JSON line
 * with its id, method, path as sent, status and duration in ms. No header is logged, so no token or
 * cookie can reach the log. Registered first, it also logs the requests refused before routing (a
 * body that is not JSON or too large). A request whose client left before the answer was sent is
 * logged as aborted, except a live event stream, whose client leaving is its end.
 */
export function requestLog(fastify: FastifyInstance, logger: Pino): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    const response = reply.raw;
    const path = pathOf(raw);
    if (!isApiPath(path)) {
      done();
      return;
    }
    const id = requestId(raw, response);
    (raw as { id?: string }).id = id;
    if (QUIET_PATHS.has(path) || !logger.isLevelEnabled('error')) {
      done();
      return;
    }
    const started = performance.now();
    const finished = (): void => {
      response.off('finish', finished);
      response.off('close', finished);
      const line = {
        req: { id, method: raw.method, url: raw.url },
        res: { statusCode: response.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      // A live event stream ends when its client leaves: that is how it is meant to end.
      if (!response.writableFinished && isLiveStream(path)) logger.info(line, 'stream closed');
      else if (!response.writableFinished) logger.warn(line, 'request aborted');
      else if (response.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    };
    response.on('finish', finished);
    response.on('close', finished);
    done();
  });
}
