import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * The 4xx `statusCode` of an error that is neither ours nor an HttpException: a request body that
 * fails to decode (zlib's errors, tagged 400 while the body is read). Fastify's own refusals
 * (a body too large or not JSON, a wrong length) reach the filter as HttpExceptions: Nest wraps
 * them with their status.
 */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || error instanceof HttpException) return undefined;
  const { statusCode } = error as { statusCode?: unknown };
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : undefined;
}

/** What a refusal by status says, where the status says enough. */
const STATUS_DETAILS: Partial<Record<number, string>> = {
  404: 'No resource at this address',
  413: 'The request body is larger than 1 MiB',
  415: 'Send the events as JSON (Content-Type: application/json)',
  429: 'Too many appends with this token; wait and retry',
};

/**
 * Maps anything thrown while serving a request to a {@link ProblemError}: our own typed errors as
 * they are, the store's typed errors and Nest's and Fastify's by status. Anything else is
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
  const clientStatus = clientErrorStatus(error);
  if (clientStatus !== undefined) {
    const type = STATUS_TYPES[clientStatus] ?? 'validation-failed';
    return {
      problem: new ProblemError(
        type,
        type === 'validation-failed'
          ? 'The request body could not be read or decoded'
          : (STATUS_DETAILS[clientStatus] ?? PROBLEM_TYPES[type].title),
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
      const detail = STATUS_DETAILS[status] ?? error.message;
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

/** Sends `problem` as the answer to `request`, or ends an answer already under way. */
export function sendProblem(problem: ProblemError, request: FastifyRequest, reply: FastifyReply): void {
  const raw = reply.raw;
  if (raw.headersSent) {
    if (!raw.writableEnded) raw.end();
    return;
  }
  const body = JSON.stringify(problem.toDocument((request.raw.url ?? '').split('?')[0]));
  if (reply.sent) {
    // A reply taken over to be written on the socket's response (see sendJson) failed before its
    // first byte: the problem goes out there, over whatever headers the answer had set.
    for (const [name, value] of Object.entries(problem.headers)) raw.setHeader(name, value);
    raw.statusCode = problem.status;
    raw.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    raw.setHeader('Content-Length', Buffer.byteLength(body));
    raw.end(body);
    return;
  }
  // Fastify asks to close the connection when it refuses a body it has not read (too large, not
  // JSON): the client may still be sending it, and closing with its bytes unread resets the
  // connection, often before the client has read this answer. Node reads and drops the rest of
  // an unread body once the answer is sent, so the connection can stay open instead.
  reply.removeHeader('connection');
  for (const [name, value] of Object.entries(problem.headers)) void reply.header(name, value);
  if (problem.status === 401 && !reply.hasHeader('WWW-Authenticate')) {
    void reply.header('WWW-Authenticate', 'Bearer realm="relations"');
  }
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

const logger = new Logger('Problems');

/** The one exception filter: every error a handler throws leaves as `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, unexpected } = toProblem(error);
    if (unexpected) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    sendProblem(problem, request, reply);
  }
}
