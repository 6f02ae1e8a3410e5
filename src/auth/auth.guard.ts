import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemError } from '../http/problem';
import { canWrite, TokenRegistry, type Principal } from './token-registry';

/** What a route needs: `public` (health, metrics, docs), `read` (per `READ_ACCESS`) or `write`. */
export type Access = 'public' | 'read' | 'write';
const ACCESS_KEY = 'relations:access';

/** Marks a handler or controller with the access it needs; unmarked routes need `read`. */
export const RequireAccess = (access: Access) => SetMetadata(ACCESS_KEY, access);

/** The request once authenticated. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The global guard: a missing or unknown token is 401 (with `WWW-Authenticate: Bearer`), a
 * reader's token on a write is 403. A presented token is always checked, even on a public read.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access =
      this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'read';
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = BEARER.exec(header);
      const principal = match?.[1] === undefined ? undefined : this.tokens.authenticate(match[1]);
      if (principal === undefined) {
        throw new ProblemError(
          'unauthorized',
          'The bearer token is not valid',
          {},
          { 'WWW-Authenticate': 'Bearer realm="relations", error="invalid_token"' },
        );
      }
      request.principal = principal;
    }
    const needsToken = access === 'write' || this.config.readAccess === 'token';
    if (needsToken && request.principal === undefined) {
      throw new ProblemError(
        'unauthorized',
        'This request needs a bearer token',
        {},
        { 'WWW-Authenticate': 'Bearer realm="relations"' },
      );
    }
    if (access === 'write' && request.principal !== undefined && !canWrite(request.principal.role)) {
      throw new ProblemError('forbidden', `A ${request.principal.role} token cannot append events`);
    }
    return true;
  }
}
