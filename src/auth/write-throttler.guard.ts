import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ProblemError } from '../http/problem';
import type { Principal } from './token-registry';

/**
 * Limits appends per token (not per address: many recorders may share a proxy), `WRITE_RATE_LIMIT`
 * per minute. Runs after the auth guard, so the principal is known.
 */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = request.principal as Principal | undefined;
    return Promise.resolve(`token:${principal?.name ?? 'anonymous'}`);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new ProblemError(
      'rate-limited',
      `At most ${detail.limit} appends per minute with one token; retry in ${retryAfter} s`,
      { retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
