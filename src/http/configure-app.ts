import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { join } from 'node:path';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import '../../events/schemas';
import { httpMetricsHooks } from '../metrics/http-metrics.middleware';
import { MetricsService } from '../metrics/metrics.service';
import { AppLogger } from '../log/app-logger';
import { registerCompression } from './compression';
import { InFlightRequests } from './graceful-shutdown';
import { PROBLEM_CONTENT_TYPE, ProblemError, validationFailed } from './problem';
import { sendProblem } from './problem.filter';
import { pathOf, requestLog } from './request-log';

/** Request bodies above this (once decoded) are refused with `413 payload-too-large`. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** `application/json` and the structured `+json` types (e.g. `application/merge-patch+json`). */
const JSON_TYPES = /^application\/(?:[\w.-]+\+)?json(?:\s*;|$)/i;

/** Where the built web page is: `dist/web`, from the compiled server or from the source tree. */
function findWebRoot(): string | undefined {
  const candidates = [join(__dirname, '..', '..', 'web'), join(__dirname, '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * The HTTP adapter: Fastify, with Express's routing habits kept (a trailing slash is the same
 * address; a path parameter has no length limit of its own, so a long code is a 400 about the
 * code, not a 404) and every refusal it makes before routing sent as a problem document.
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Requests already accepted are answered while the server drains (see DrainOnShutdown).
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      // A path whose percent-encoding is broken (FST_ERR_BAD_URL), before any route matched.
      sendProblem(
        new ProblemError('validation-failed', 'The request address is not valid', {
          errors: [{ path: '', message: error.message }],
        }),
        request,
        reply,
      );
    },
  });
}

/**
 * Requests so malformed that Node's HTTP parser refuses them (a head over 16 KiB, a broken request
 * line) never reach a route; they get a problem document too, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Bytes after a whole request that are not a request (a body sent on a DELETE without a length)
  // fail while that request is being answered: the answer goes out first, then the connection
  // closes.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight) {
    if (inFlight.writableFinished) socket.destroy();
    else {
      inFlight.once('finish', () => socket.destroySoon());
      inFlight.once('close', () => socket.destroySoon());
    }
    return;
  }
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ProblemError('headers-too-large', 'The request head is larger than 16 KiB')
      : new ProblemError('validation-failed', 'The request is not valid HTTP', { errors: [] });
  const body = JSON.stringify(problem.toDocument());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Parses a JSON body as `JSON.parse` does (a `__proto__` key is an own key, refused later by
 * validation like any unknown field), accepting only UTF-8 and, as a document, an object or an
 * array; an empty body is left to validation.
 */
function parseJsonBody(
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    done(new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON'));
    return;
  }
  const start = body.search(/\S/);
  if (start === -1) {
    done(null, undefined);
    return;
  }
  // Made only for a body that fails: an error captures a stack trace, which costs every request.
  const notJson = () =>
    validationFailed([{ path: '', message: 'not valid JSON' }], 'The request body is not valid JSON');
  if (body[start] !== '{' && body[start] !== '[') {
    done(notJson());
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    done(notJson());
    return;
  }
  done(null, parsed);
}

/**
 * A body sent with `Content-Encoding` is decoded before parsing, and the 1 MiB limit applies to
 * the decoded bytes. Decoding stops at the limit: the rest of a small body that inflates without
 * end (a "zip bomb") is read and dropped as it arrives, not inflated.
 */
function decodeBody(request: FastifyRequest, payload: Readable): Readable {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder =
    encoding === 'identity'
      ? undefined
      : encoding === 'gzip'
        ? createGunzip()
        : encoding === 'deflate'
          ? createInflate()
          : encoding === 'br'
            ? createBrotliDecompress()
            : null;
  if (decoder === undefined) return payload;
  if (decoder === null) {
    throw new ProblemError('unsupported-media-type', `Content-Encoding "${encoding}" is not supported`);
  }
  let decodedBytes = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      decodedBytes += chunk.length;
      if (decodedBytes <= BODY_LIMIT_BYTES) callback(null, chunk);
      else callback(Object.assign(new Error('The decoded body is over the limit'), { statusCode: 413 }));
    },
  }) as Transform & { receivedEncodedLength: number };
  // Fastify compares the declared Content-Length with the bytes as received, not as decoded.
  limited.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (limited.receivedEncodedLength += chunk.length));
  decoder.on('error', (error: Error & { statusCode?: number }) => {
    // Bytes that are not what Content-Encoding says they are.
    error.statusCode = 400;
    limited.destroy(error);
  });
  limited.on('error', () => {
    payload.unpipe(decoder);
    decoder.destroy();
  });
  return payload.pipe(decoder).pipe(limited);
}

/** Builds the OpenAPI document, with the event schemas generated from the validation classes. */
export function buildOpenApiDocument(app: NestFastifyApplication) {
  const config = new DocumentBuilder()
    .setTitle('relations')
    .setDescription(
      'An event-sourced, bitemporal record of the relations between pairs of countries. ' +
        'Every error is an RFC 9457 problem document (application/problem+json).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' });
  document.components = {
    ...document.components,
    schemas: { ...(schemas as Record<string, object>), ...(document.components?.schemas ?? {}) },
  };
  return document;
}

type RawMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Everything about the HTTP surface that is not a route: logging, security headers, metrics,
 * the web page, body parsing and its errors, the OpenAPI page. Called by `main` and by the e2e
 * tests on the same application, before `init()`, so these run in front of the routes.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

  requestLog(fastify, logger.pino);
  app.get(InFlightRequests).register(fastify);
  httpMetricsHooks(fastify, app.get(MetricsService));

  const strictHeaders: RawMiddleware = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
      },
    },
  });
  // The interactive OpenAPI page ships inline styles; it alone may use them.
  const docsHeaders: RawMiddleware = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
  });
  // helmet only sets headers on the response, which Fastify's own headers then join.
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = pathOf(request.raw).startsWith('/api/docs') ? docsHeaders : strictHeaders;
    headers(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });

  await registerCompression(fastify);

  const webRoot = findWebRoot();
  if (webRoot !== undefined) {
    // One route per file of the page (and `/` for its index), with their ETags; any other
    // address is Nest's 404.
    void fastify.register(fastifyStatic, { root: webRoot, wildcard: false });
  }

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, parseJsonBody);
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    try {
      done(null, decodeBody(request, payload));
    } catch (error) {
      done(error as Error);
    }
  });

  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
}
