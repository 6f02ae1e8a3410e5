import { existsSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import '../../events/schemas';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware';
import { MetricsService } from '../metrics/metrics.service';
import { AppLogger } from '../log/app-logger';
import { InFlightRequests } from './graceful-shutdown';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problem';
import { problemErrorMiddleware } from './problem.filter';
import { isApiPath, requestLog } from './request-log';

/** Request bodies above this are refused with `413 payload-too-large`. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Where the built web page is: `dist/web`, from the compiled server or from the source tree. */
export function findWebRoot(): string | undefined {
  const candidates = [join(__dirname, '..', '..', 'web'), join(__dirname, '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Requests so malformed that Node's HTTP parser refuses them (a head over 16 KiB, a broken request
 * line) never reach Express; they get a problem document too, then the connection is closed.
 */
export function answerClientErrors(server: HttpServer): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
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
  });
}

/** 415 for a body that is not JSON; an empty body is left to validation. */
function requireJson(request: Request, _response: Response, next: NextFunction): void {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
  if (['POST', 'PUT', 'PATCH'].includes(request.method) && hasBody && !request.is(JSON_TYPES)) {
    next(
      new ProblemError('unsupported-media-type', 'Send the events as JSON (Content-Type: application/json)'),
    );
    return;
  }
  next();
}

/** Builds the OpenAPI document, with the event schemas generated from the validation classes. */
export function buildOpenApiDocument(app: NestExpressApplication) {
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

/**
 * Everything about the HTTP surface that is not a route: logging, security headers, metrics,
 * the web page, body parsing and its errors, the OpenAPI page. Called by `main` and by the e2e
 * tests on the same application, before `init()`, so these run in front of the routes.
 */
export function configureApp(app: NestExpressApplication): void {
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.use(requestLog(logger.pino));
  app.disable('x-powered-by');
  // Plain strings (or arrays of them for repeated parameters), never nested objects.
  app.set('query parser', 'simple');
  // Express would hash every response body (SHA-1) into a weak ETag: a cost in proportion to the
  // body (17 MB for a long snapshots series) for a tag that a read at the default `knownAt` (now,
  // echoed in the body) never matches. Writes set their own ETag, the stream revision; the web
  // page's files keep theirs from express.static.
  app.set('etag', false);
  answerClientErrors(app.getHttpServer() as HttpServer);
  app.use(app.get(InFlightRequests).middleware);
  const metrics = app.get(MetricsService);
  app.use(httpMetricsMiddleware(metrics));

  const strictHeaders = helmet({
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
  const docsHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
  });
  app.use((request: Request, response: Response, next: NextFunction) =>
    request.path.startsWith('/api/docs')
      ? docsHeaders(request, response, next)
      : strictHeaders(request, response, next),
  );

  const webRoot = findWebRoot();
  if (webRoot !== undefined) {
    const serveWeb = express.static(webRoot, { index: 'index.html', fallthrough: true });
    app.use((request: Request, response: Response, next: NextFunction) =>
      isApiPath(request.path) ? next() : serveWeb(request, response, next),
    );
  }

  app.use('/api', requireJson);
  app.use('/api', express.json({ limit: BODY_LIMIT_BYTES, type: JSON_TYPES, strict: true }));
  app.use(problemErrorMiddleware);

  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
}
