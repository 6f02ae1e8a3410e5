import type { FastifyInstance } from 'fastify';
import type { MetricsService } from './metrics.service';

/** When a request was received, kept on the raw request for the `onResponse` hook. */
const STARTED = Symbol('metricsStarted');

/**
 * Counts and times every request by its route template (`/api/relations/:pair/state`), never by
 * its raw path, so label cardinality stays bounded; requests that match no route are `unmatched`.
 */
export function httpMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request.raw as { [STARTED]?: bigint })[STARTED] = process.hrtime.bigint();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const start = (request.raw as { [STARTED]?: bigint })[STARTED] ?? process.hrtime.bigint();
    // A route's template; Fastify's 404 handler has none (and static files are not API routes).
    const template = request.is404 ? undefined : request.routeOptions.url;
    const labels = {
      method: request.method,
      route: template ?? 'unmatched',
      status: String(reply.raw.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    done();
  });
}
