import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import {
  EventIdConflictError,
  RevisionConflictError,
  StoreUnavailableError,
} from '../store/event-store.port';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, ProblemError, type ProblemType } from './problem';

const STATUS_TYPES: Record<number, ProblemType> = {
  400: 'validation-failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'event-id-conflict',
  412: 'revision-mismatch',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'invalid-reference',
  429: 'rate-limited',
  503: 'store-unavailable',
};

/** Errors thrown by the JSON body parser carry a `type` (see the `body-parser` package). */
interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string';
}

/** The 4xx status of an `http-errors` error (what Express middleware raises), if it is one. */
function clientErrorStatus(error: unknown): number | undefined {
  if (error instanceof HttpException || typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

/**
 * Maps anything thrown while serving a request to a {@link ProblemError}: our own typed errors as
 * they are, the store's typed errors and Nest's and the body parser's by status. Anything else is
 * an `internal` problem whose detail says nothing about the cause (it is logged instead).
 */
export function toProblem(error: unknown): { problem: ProblemError; unexpected: boolean } {
  if (error instanceof ProblemError) return { problem: error, unexpected: false };
  if (error instanceof StoreUnavailableError) {
    return {
      problem: new ProblemError('store-unavailable', 'The event store cannot be reached; try again later'),
      unexpected: false,
    };
  }
  if (error instanceof EventIdConflictError) {
    return {
      problem: new ProblemError(
        'event-id-conflict',
        `Event id ${error.eventId} is already used in this relation`,
        {
          eventId: error.eventId,
        },
      ),
      unexpected: false,
    };
  }
  if (error instanceof RevisionConflictError) {
    return {
      problem: new ProblemError('revision-mismatch', 'The relation changed meanwhile', {
        currentRevision: error.actualRevision,
      }),
      unexpected: false,
    };
  }
  if (isBodyParserError(error)) {
    switch (error.type) {
      case 'entity.too.large':
        return {
          problem: new ProblemError('payload-too-large', 'The request body is larger than 1 MiB'),
          unexpected: false,
        };
      case 'entity.parse.failed':
        return {
          problem: new ProblemError('validation-failed', 'The request body is not valid JSON', {
            errors: [{ path: '', message: 'not valid JSON' }],
          }),
          unexpected: false,
        };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return {
          problem: new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON'),
          unexpected: false,
        };
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return {
          problem: new ProblemError('validation-failed', 'The request body could not be read', {
            errors: [],
          }),
          unexpected: false,
        };
    }
  }
  const httpError = clientErrorStatus(error);
  if (httpError !== undefined) {
    // Raised by the body parser without a `type` (e.g. a body whose Content-Encoding lies).
    const type = STATUS_TYPES[httpError] ?? 'validation-failed';
    return {
      problem: new ProblemError(
        type,
        type === 'validation-failed'
          ? 'The request body could not be read or decoded'
          : PROBLEM_TYPES[type].title,
        type === 'validation-failed'
          ? { errors: [{ path: '', message: 'could not be read or decoded' }] }
          : {},
      ),
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const type = STATUS_TYPES[status];
    if (type !== undefined && status < 500) {
      const detail =
        status === 404
          ? 'No resource at this address'
          : status === 429
            ? 'Too many appends with this token; wait and retry'
            : error.message;
      return {
        problem: new ProblemError(type, detail, type === 'validation-failed' ? { errors: [] } : {}),
        unexpected: false,
      };
    }
  }
  return {
    problem: new ProblemError('internal', 'The service failed to answer this request'),
    unexpected: true,
  };
}

function send(problem: ProblemError, request: Request, response: Response): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  if (problem.status === 401 && !response.getHeader('WWW-Authenticate')) {
    response.setHeader('WWW-Authenticate', 'Bearer realm="relations"');
  }
  response
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toDocument(request.originalUrl.split('?')[0])));
}

const logger = new Logger('Problems');

/** The one exception filter: every error a handler throws leaves as `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { problem, unexpected } = toProblem(error);
    if (unexpected) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    send(problem, request, response);
  }
}

/** The same mapping for errors raised by Express middleware that runs before Nest's routes. */
export function problemErrorMiddleware(
  error: unknown,
  request: Request,
  response: Response,
  next: NextFunction,
): void {
  if (response.headersSent) {
    next(error);
    return;
  }
  const { problem, unexpected } = toProblem(error);
  if (unexpected) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  send(problem, request, response);
}
