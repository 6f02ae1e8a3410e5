import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireAccess, type AuthenticatedRequest } from '../auth/auth.guard';
import { WriteThrottlerGuard } from '../auth/write-throttler.guard';
import { mayCompress } from '../http/compression';
import { validationFailed } from '../http/problem';
import { enumParam } from '../http/query';
import { sharedJson, streamJson, writeJson, type ReleasePiece } from '../../projections/entry-text';
import { RelationQueries, STATE_FIELDS } from './relation-queries.service';
import { canonicalPair, RelationsService } from './relations.service';

type Query = Record<string, unknown>;

const PROBLEM = { description: 'A problem document (application/problem+json)' };

const FIELDS_QUERY = {
  name: 'fields',
  required: false,
  description: `Only these top-level fields of each state, e.g. index,revision (${STATE_FIELDS.join(', ')}); default all`,
};

/** `If-Match: "44"` (also `W/"44"` and `*`); anything else is refused. */
function parseIfMatch(header: string | undefined): number | 'exists' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return 'exists';
  const match = /^(?:W\/)?"(-1|\d{1,15})"$/.exec(value);
  if (!match)
    throw validationFailed([{ path: 'If-Match', message: 'must be a revision in quotes, e.g. "44"' }]);
  return Number(match[1]);
}

/**
 * Sends `value` as `response.json` would (the same bytes and type), written by `entry-text.ts`
 * from the bytes of the entries states share. An answer that fits one piece goes with its length;
 * a larger one is sent piece by piece as it is written, chunked. `streamed` (a series of
 * snapshots, up to 1,000 states) lets other requests in between its pieces and waits for a slow
 * client (see {@link whenSent}). A request with `Accept-Encoding` may get it compressed instead.
 */
async function sendJson(reply: FastifyReply, value: unknown, streamed = false): Promise<void> {
  if (mayCompress(reply.request)) {
    // A client that takes a compressed answer gets it through Fastify's reply, whose hook
    // compresses it (see `registerCompression`): kept pieces, as they wait for the compressor.
    const pieces = sharedJson(value);
    reply
      .type('application/json; charset=utf-8')
      .send(pieces.length === 1 ? pieces[0] : Readable.from(pieces, { objectMode: false }));
    return;
  }
  // Written on the socket's response directly, so that each piece goes back to the writer's pool
  // once the socket has taken it; headers set by the hooks are already on it.
  reply.hijack();
  const response = reply.raw;
  response.statusCode = 200;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  // Each piece is held until the next one comes: the last (for most answers the only one) goes
  // with `end`, and with its length when nothing went before it. A piece goes back to the
  // writer's pool once the socket has taken it (or failed to).
  let held: [piece: Buffer, release: ReleasePiece] | undefined;
  const sink = (piece: Buffer, release: ReleasePiece): void => {
    if (held !== undefined) {
      response.write(held[0], held[1]);
      // A response's write corks its socket until the end of the tick, which would keep every
      // piece back until the whole answer is written: uncorked, each goes to the kernel now, and
      // the client receives while the rest is written. (Measured on the benchmark's 17 MB series:
      // first byte at ~4 ms instead of ~9, last byte ~1.3 ms sooner, ~0.5 ms more CPU.)
      if (response.socket?.writableCorked) response.socket.uncork();
    }
    held = [piece, release];
  };
  if (!streamed) {
    writeJson(value, sink);
  } else {
    try {
      await streamJson(value, sink, () => whenSent(response));
    } catch (error) {
      // Half an answer must not end as if it were whole.
      response.destroy();
      throw error;
    }
    if (response.destroyed) {
      held?.[1]();
      return;
    }
  }
  // Both writers write at least `null`.
  const [last, release] = held!;
  if (!response.headersSent) response.setHeader('Content-Length', last.length);
  response.end(last, release);
}

/** Bytes of a streamed answer that may wait in its queue before its writer waits for the client. */
const QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * Whether a streamed answer may go on (false: its client went away), and when: after one turn of
 * the event loop, in which the socket sends what the client has room for and other requests get
 * their turn (a series of 1,000 large states takes ~100 ms to write, which would otherwise hold
 * every other request back); with more than {@link QUEUED_BYTES} waiting to be sent, once they
 * have been: a slow client holds a few MiB of its answer in memory, not all of it.
 */
function whenSent(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const go = (): void => {
      response.off('drain', go);
      response.off('close', go);
      resolve(!response.destroyed);
    };
    if (response.destroyed) {
      resolve(false);
    } else if (response.writableLength <= QUEUED_BYTES) {
      setImmediate(go);
    } else {
      response.on('drain', go);
      response.on('close', go);
    }
  });
}

/** The pair's endpoints: each parses, calls one service method, and maps the answer. */
@ApiTags('relations')
@Controller('api')
export class RelationsController {
  constructor(
    private readonly relations: RelationsService,
    private readonly queries: RelationQueries,
  ) {}

  @Get('relations')
  @ApiOperation({ summary: 'Every pair with events, with a summary' })
  list() {
    return this.queries.relations();
  }

  @Get('countries/:code/relations')
  @ApiOperation({ summary: "One country's pairs with their state summary" })
  @ApiQuery({ name: 'asOf', required: false, description: 'YYYY-MM-DD, default today' })
  @ApiQuery({ name: 'knownAt', required: false, description: 'ISO 8601 instant, default now' })
  country(@Param('code') code: string, @Query() query: Query) {
    return this.queries.countryRelations(code, query);
  }

  @Post('relations/:pair/events')
  @RequireAccess('write')
  @UseGuards(WriteThrottlerGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Append one event (object) or several (array, at most 1000), atomically' })
  @ApiParam({ name: 'pair', example: 'JPN-KOR' })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath('EventEnvelopeSchema') },
        { type: 'array', maxItems: 1000, items: { $ref: getSchemaPath('EventEnvelopeSchema') } },
      ],
    },
  })
  @ApiResponse({ status: 201, description: 'Stored; ETag is the stream revision' })
  @ApiResponse({ status: 200, description: 'An idempotent retry: already stored, the original result' })
  @ApiResponse({ status: 400, ...PROBLEM })
  @ApiResponse({ status: 401, ...PROBLEM })
  @ApiResponse({ status: 403, ...PROBLEM })
  @ApiResponse({ status: 409, ...PROBLEM })
  @ApiResponse({ status: 412, ...PROBLEM })
  @ApiResponse({ status: 413, ...PROBLEM })
  @ApiResponse({ status: 415, ...PROBLEM })
  @ApiResponse({ status: 422, ...PROBLEM })
  @ApiResponse({ status: 429, ...PROBLEM })
  async append(
    @Param('pair') rawPair: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const pair = canonicalPair(rawPair);
    const expected = parseIfMatch(ifMatch);
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
      throw validationFailed([
        { path: 'If-None-Match', message: 'only * is supported (append only to a pair with no events)' },
      ]);
    }
    if (body === undefined) {
      throw validationFailed([
        { path: '', message: 'send one event (an object) or several (an array) as JSON' },
      ]);
    }
    const events = this.relations.prepare(pair, body);
    const outcome = await this.relations.append(pair, events, {
      recordedBy: request.principal!.name,
      expectedRevision: ifNoneMatch !== undefined ? -1 : expected,
      source: 'http',
    });
    void response.status(outcome.status === 'created' ? 201 : 200);
    void response.header('ETag', `"${outcome.currentRevision}"`);
    const first = outcome.result.events[0];
    if (first !== undefined) {
      void response.header(
        'Location',
        outcome.result.events.length === 1
          ? `/api/relations/${pair}/events/${first.id}`
          : `/api/relations/${pair}/audit?fromRevision=${first.revision}`,
      );
    }
    return outcome.result;
  }

  @Get('relations/:pair/events')
  @ApiOperation({
    summary: 'Timeline: events in valid-time order, corrections applied, retracted ones marked',
  })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'type', required: false, isArray: true })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000, default 1000' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  timeline(@Param('pair') rawPair: string, @Query() query: Query) {
    return this.queries.timeline(canonicalPair(rawPair), query);
  }

  @Get('relations/:pair/events/:id')
  @ApiOperation({ summary: 'One event as recorded and as read after corrections' })
  event(@Param('pair') rawPair: string, @Param('id') id: string, @Query() query: Query) {
    return this.queries.event(canonicalPair(rawPair), id, query);
  }

  @Get('relations/:pair/state')
  @ApiOperation({ summary: 'The state as of a date, as known at an instant' })
  @ApiQuery({ name: 'asOf', required: false, description: 'YYYY-MM-DD, default today' })
  @ApiQuery({ name: 'knownAt', required: false, description: 'ISO 8601 instant, default now' })
  @ApiQuery(FIELDS_QUERY)
  async state(
    @Param('pair') rawPair: string,
    @Query() query: Query,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await sendJson(response, await this.queries.state(canonicalPair(rawPair), query));
  }

  @Get('relations/:pair/snapshots')
  @ApiOperation({ summary: 'The state at each date of a series (at most 1000 points)' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'every', required: false, enum: ['day', 'week', 'month', 'quarter', 'year'] })
  @ApiQuery({ name: 'dates', required: false, description: 'd1,d2,… instead of a series' })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiQuery(FIELDS_QUERY)
  async snapshots(
    @Param('pair') rawPair: string,
    @Query() query: Query,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await sendJson(response, await this.queries.snapshots(canonicalPair(rawPair), query), true);
  }

  @Get('relations/:pair/changes')
  @ApiOperation({ summary: 'What changed our view of a date between two instants' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'since', required: true })
  @ApiQuery({ name: 'until', required: false })
  changes(@Param('pair') rawPair: string, @Query() query: Query) {
    return this.queries.changes(canonicalPair(rawPair), query);
  }

  @Get('relations/:pair/audit')
  @ApiOperation({ summary: 'Events in append order exactly as recorded, with the hash chain' })
  @ApiQuery({ name: 'fromRevision', required: false })
  @ApiQuery({ name: 'limit', required: false })
  audit(@Param('pair') rawPair: string, @Query() query: Query) {
    return this.queries.audit(canonicalPair(rawPair), query);
  }

  @Get('relations/:pair/audit/verify')
  @ApiOperation({ summary: 'Verify the hash chain of the stored events' })
  verify(@Param('pair') rawPair: string) {
    return this.queries.verify(canonicalPair(rawPair));
  }

  @Get('relations/:pair/export')
  @ApiOperation({ summary: 'Export as NDJSON (re-importable) or CSV' })
  @ApiQuery({ name: 'format', required: false, enum: ['ndjson', 'csv'] })
  async export(
    @Param('pair') rawPair: string,
    @Query() query: Query,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const pair = canonicalPair(rawPair);
    const format = enumParam('format', query.format, ['ndjson', 'csv'] as const) ?? 'ndjson';
    const body = await this.queries.export(pair, format);
    await response
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${pair}.${format}"`)
      .send(body);
  }
}
