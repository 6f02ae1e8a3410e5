import type { FastifyInstance } from 'fastify';
import type { MetricsService } from './metrics.service';

/**
 * Counts and times every request by its route template (`/api/relations/:pair/state`), never by
 * its raw path, so label cardinality stays bounded; requests that match no route are `unmatched`.
 * The duration is Fastify's own (`reply.elapsedTime`, from the request's arrival to the answer's
 * last byte).
 */
export function httpMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    // A route's template; Fastify's 404 handler has none (and static files are not API routes).
    const template = request.is404 ? undefined : request.routeOptions.url;
    const labels = {
      method: request.method,
      route: template ?? 'unmatched',
      status: String(reply.raw.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
