import { BeforeApplicationShutdown, Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  RELATION_STREAM_PREFIX,
  EVENT_STORE,
  type EventStore,
  type Subscription,
} from '../store/event-store.port';
import { streamNameOf } from '../../events/countries';
import { invalidQuery } from '../http/problem';
import { stringParam } from '../http/query';
import { fromStored } from '../relations/event-codec';
import { canonicalPair } from '../relations/relations.service';

/** How often an idle stream sends a comment line, so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/live`: Server-Sent Events of appended events. Each message's `id:` is the event's
 * global position; reconnecting with `Last-Event-ID` (or `?lastEventId=`) replays what was
 * appended after it from the store, then goes on live, so a client never misses one.
 */
@ApiTags('relations')
@Controller('api/live')
export class LiveController implements BeforeApplicationShutdown {
  private readonly open = new Set<{
    subscription: Subscription;
    response: ServerResponse;
    heartbeat: NodeJS.Timeout;
  }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: 'Server-Sent Events of appended events' })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'pair', required: false, description: 'only this pair' })
  @ApiQuery({
    name: 'lastEventId',
    required: false,
    description: 'resume after this position (or the Last-Event-ID header)',
  })
  live(
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const pairRaw = stringParam('pair', query.pair, 16);
    const pair = pairRaw === undefined ? undefined : canonicalPair(pairRaw);
    const resumeRaw = lastEventIdHeader ?? stringParam('lastEventId', query.lastEventId, 32);
    let after: bigint | undefined;
    if (resumeRaw !== undefined && resumeRaw !== '') {
      if (!/^\d{1,20}$/.test(resumeRaw))
        throw invalidQuery('Last-Event-ID', 'must be a position this stream sent');
      after = BigInt(resumeRaw);
    }

    // The stream is written on the socket's response as events come, outside Fastify's reply.
    reply.hijack();
    const response = reply.raw;
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(`retry: 3000\n\n`);

    const subscription = this.store.subscribe(
      { after, streamPrefix: pair === undefined ? RELATION_STREAM_PREFIX : streamNameOf(pair) },
      (stored) => {
        if (pair !== undefined && stored.streamName !== streamNameOf(pair)) return;
        const event = fromStored(stored);
        response.write(
          `id: ${stored.position.toString()}\nevent: appended\ndata: ${JSON.stringify(event)}\n\n`,
        );
      },
      () => close(),
    );
    const heartbeat = setInterval(() => response.write(`: heartbeat\n\n`), HEARTBEAT_MS);
    heartbeat.unref();
    const entry = { subscription, response, heartbeat };
    this.open.add(entry);
    const close = (): void => {
      if (!this.open.delete(entry)) return;
      clearInterval(heartbeat);
      void subscription.close();
      response.end();
    };
    request.raw.on('close', close);
  }

  /** Ends every open stream so the HTTP server can close and the store after it. */
  async beforeApplicationShutdown(): Promise<void> {
    const entries = [...this.open];
    this.open.clear();
    for (const { subscription, response, heartbeat } of entries) {
      clearInterval(heartbeat);
      response.end();
      await subscription.close();
    }
  }
}
