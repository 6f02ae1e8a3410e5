import { Server as NetServer } from 'node:net';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { isLiveStream, pathOf } from './request-log';

/** Longest wait for requests in flight before the server closes anyway. */
export const DRAIN_TIMEOUT_MS = 25_000;

/**
 * Counts requests whose answer is not yet handed to the operating system. Live event streams are
 * left out: they never finish by themselves and are ended by their controller on shutdown.
 */
@Injectable()
export class InFlightRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Counts every request Fastify receives from here on. */
  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!isLiveStream(pathOf(request.raw))) this.track(reply.raw);
      done();
    });
  }

  private track(response: ServerResponse): void {
    this.count += 1;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
    // `finish`: the last byte is with the operating system; `close`: the client went away.
    response.once('finish', settle);
    response.once('close', settle);
  }

  get size(): number {
    return this.count;
  }

  /** Resolves once no request is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Stops accepting connections and lets every accepted request finish before Nest closes the HTTP
 * server. Node's `http.Server#close` destroys connections whose response has ended but may still
 * be flushing a large body, which would cut answers mid-way; so listening stops first (the plain
 * `net.Server#close`, which leaves open connections alone), then the answers drain, and only then
 * does Nest close the server (and, after it, the store).
 */
@Injectable()
export class DrainOnShutdown implements BeforeApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly inFlight: InFlightRequests,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (server?.listening) NetServer.prototype.close.call(server);
    await this.inFlight.idle(DRAIN_TIMEOUT_MS);
  }
}
