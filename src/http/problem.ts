/**
 * RFC 9457 problem documents. Every error the service answers is one of the stable types below;
 * `type` URIs never change once published, and `detail` never carries stack traces or paths.
 */

/** The stable problem types and their HTTP status and title. */
export const PROBLEM_TYPES = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'invalid-pair': { status: 400, title: 'Not a valid country pair' },
  'invalid-query': { status: 400, title: 'A query parameter is not valid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'This token may not do that' },
  'not-found': { status: 404, title: 'No such resource' },
  'relation-not-found': { status: 404, title: 'No events recorded for this pair' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  'event-id-conflict': { status: 409, title: 'An event id is already used for another event' },
  'revision-mismatch': { status: 412, title: 'The relation is not at the expected revision' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  'invalid-reference': { status: 422, title: 'The referenced event cannot be corrected or retracted' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  'store-unavailable': { status: 503, title: 'The event store is unavailable' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** A field-level problem, as in `validation-failed`'s `errors`. */
export interface FieldError {
  path: string;
  message: string;
}

/** The document sent with `Content-Type: application/problem+json`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * The one typed error the application throws for an answer that is not a success; the exception
 * filter turns it into a {@link ProblemDocument}. `extensions` become top-level members.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly problemType: ProblemType,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = PROBLEM_TYPES[problemType].status;
    this.title = PROBLEM_TYPES[problemType].title;
  }

  toDocument(instance?: string): ProblemDocument {
    return {
      ...this.extensions,
      type: problemTypeUri(this.problemType),
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance === undefined ? {} : { instance }),
    };
  }
}

export function problemTypeUri(type: ProblemType): string {
  return `/problems/${type}`;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `400 validation-failed` listing every field problem. */
export function validationFailed(errors: readonly FieldError[], detail?: string): ProblemError {
  const count = errors.length;
  return new ProblemError(
    'validation-failed',
    detail ?? `${count} problem${count === 1 ? '' : 's'} in the request body`,
    { errors },
  );
}

/** `400 invalid-query` naming the parameter. */
export function invalidQuery(parameter: string, message: string): ProblemError {
  return new ProblemError('invalid-query', `${parameter}: ${message}`, { parameter });
}
