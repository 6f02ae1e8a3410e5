import { negotiate } from '@fastify/accept-negotiator';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Answers up to this size are compressed in one call, larger ones as a stream. */
const SYNC_COMPRESSION_BYTES = 256 * 1024;

/** What an answer may be compressed with, in order of preference. */
const RESPONSE_ENCODINGS: ('br' | 'gzip' | 'deflate')[] = ['br', 'gzip', 'deflate'];

/**
 * Answers of 1 KiB or more go compressed to a client that asks (`Accept-Encoding`: br, gzip or
 * deflate, in that order of preference; brotli at the plugin's quality 4, meant for answers made
 * on the fly): JSON and problem documents, the timeline, audit, exports, metrics and the page's
 * files. The live event stream is never compressed (it would hold events back). Request bodies
 * are decoded by the body parser's own hook, within the body limit, not by this plugin.
 *
 * Awaited before Nest adds its routes, so that its hook is in place for them.
 */
export async function registerCompression(fastify: FastifyInstance): Promise<void> {
  // Content codings are case-insensitive (RFC 9110, 8.4.1) but the negotiator matches them as
  // written: `BR, GZIP` would get the answer uncompressed. Weights are numbers, so the whole
  // header can be read in lower case.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['accept-encoding'];
    if (header !== undefined && /[A-Z]/.test(header))
      request.headers['accept-encoding'] = header.toLowerCase();
    done();
  });
  await fastify.register(fastifyCompress, {
    globalDecompression: false,
    // Answers up to the size the JSON writer makes in one piece are compressed at once, in the
    // request's own turn: a zlib stream for each, the plugin's way above 8 KiB on two cores,
    // cost ~1 ms of CPU for a 16 kB state, against ~0.15 ms at once.
    syncThreshold: SYNC_COMPRESSION_BYTES,
    encodings: RESPONSE_ENCODINGS,
    customTypes: /^text\/(?!event-stream)|[/+]json(?:\s*;|$)|^application\/x-ndjson(?:\s*;|$)/,
  });
}

/**
 * Whether an answer to `request` may go compressed: its `Accept-Encoding` accepts one of the
 * encodings above. (Whether it does also depends on the answer's type and size.)
 */
export function mayCompress(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  return header !== undefined && negotiate(header, RESPONSE_ENCODINGS) !== null;
}
