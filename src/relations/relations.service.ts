import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EventInput, PairId, RecordedEvent } from '../../events/catalogue';
import { GENESIS_HASH } from '../../events/catalogue';
import { parsePair, streamNameOf } from '../../events/countries';
import { CLOCK, type Clock } from '../clock/clock';
import { ProblemError, validationFailed, type FieldError } from '../http/problem';
import { MetricsService } from '../metrics/metrics.service';
import { EVENT_STORE, RevisionConflictError, type EventStore } from '../store/event-store.port';
import {
  appendWarnings,
  END_OF_TIME_QUESTION,
  endOfTimeWarnings,
  parseEvent,
  recordEnvelope,
  validateReference,
  type Warning,
} from './domain';
import { fromStored, toNewEvent } from './event-codec';
import { KeyedMutex } from './keyed-mutex';
import { RELATION_READ_MODEL, type RelationReadModel } from './relation-read-model';

/** Most events one request (or one import batch) may append. */
export const MAX_BATCH = 1000;
/** How often an append without `If-Match` retries after another instance moved the stream. */
const CONFLICT_RETRIES = 20;

/** One appended event in an {@link AppendResult}. */
export interface AppendedEvent {
  id: string;
  revision: number;
  recordedAt: string;
  hash: string;
}

/** The answer to an append: also what an idempotent retry answers again. */
export interface AppendResult {
  pair: PairId;
  /** The stream's revision right after these events. */
  revision: number;
  events: AppendedEvent[];
  warnings: unknown[];
}

/** `created`: stored now (201); `replayed`: all already stored with the same content (200). */
export interface AppendOutcome {
  status: 'created' | 'replayed';
  result: AppendResult;
  /** The stream's revision now (the ETag). */
  currentRevision: number;
  /** Events of the request already stored (when `skipStored`), not stored again. */
  alreadyStored: number;
}

/** An event to append, validated, with its id. `idGiven`: the client chose the id. */
export interface PreparedEvent {
  input: EventInput & { id: string };
  idGiven: boolean;
}

export interface AppendOptions {
  recordedBy: string;
  /** `If-Match`: the revision the stream must be at (-1: no events; `exists`: at least one). */
  expectedRevision?: number | 'exists';
  /** `metrics` label. */
  source: 'http' | 'import' | 'seed';
  /** Import mode: events already stored with the same content are skipped instead of refused. */
  skipStored?: boolean;
  /** `false` when nobody reads the warnings (bulk import): saves two folds of the pair per batch. */
  warnings?: boolean;
  /**
   * `true` when the caller knows no id of the batch can be stored in another pair (an import into a
   * store that was empty, its ids unique across the file, no other writer): skips a lookup per id.
   */
  idsUnusedElsewhere?: boolean;
}

/** The canonical pair, or 400 `invalid-pair`. */
export function canonicalPair(raw: string): PairId {
  const parsed = parsePair(raw);
  if (!parsed.ok) throw new ProblemError('invalid-pair', parsed.problem, { pair: raw });
  return parsed.pair;
}

function isReference(
  event: Pick<RecordedEvent, 'type' | 'data'>,
): event is Extract<RecordedEvent, { type: 'event-corrected' | 'event-retracted' }> {
  return event.type === 'event-corrected' || event.type === 'event-retracted';
}

/**
 * What decides whether a correction or retraction may name an event: the event itself and the
 * events that name it. Handing only these to `validateReference` keeps a batch of references
 * linear in the stream's length instead of quadratic.
 */
class ReferenceIndex {
  private readonly related = new Map<string, RecordedEvent[]>();

  constructor(events: readonly RecordedEvent[]) {
    for (const event of events) this.add(event);
  }

  add(event: RecordedEvent): void {
    this.push(event.id, event);
    if (isReference(event)) this.push(event.data.eventId, event);
  }

  /** The target and the references to it, in the order they were added (revision order). */
  context(targetId: string): RecordedEvent[] {
    return this.related.get(targetId) ?? [];
  }

  private push(key: string, event: RecordedEvent): void {
    const list = this.related.get(key);
    if (list === undefined) this.related.set(key, [event]);
    else list.push(event);
  }
}

function appended(event: RecordedEvent): AppendedEvent {
  return { id: event.id, revision: event.revision, recordedAt: event.recordedAt, hash: event.hash };
}

/**
 * The one way events get into the record (HTTP, import, seed): validation, idempotency, the
 * per-pair serialisation the hash chain needs, optimistic concurrency against the store.
 */
@Injectable()
export class RelationsService {
  private readonly mutex = new KeyedMutex();
  /**
   * Per pair, the end-of-time warnings after the last append this process answered, keyed by the
   * hash of the last event they include (which names the whole history through the hash chain): the
   * next append's "before" is then not folded again.
   */
  private readonly lastWarnings = new Map<PairId, { hash: string; warnings: readonly Warning[] }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RELATION_READ_MODEL) private readonly readModel: RelationReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Validates a request body (one event or an array of them) for `pair`, reporting every problem
   * of every event (paths prefixed `[i].` for arrays), and gives each event an id.
   */
  prepare(pair: PairId, body: unknown): PreparedEvent[] {
    const isArray = Array.isArray(body);
    const items: unknown[] = isArray ? body : [body];
    if (isArray && items.length === 0)
      throw validationFailed([{ path: '', message: 'an array of events must not be empty' }]);
    if (items.length > MAX_BATCH) {
      throw new ProblemError(
        'payload-too-large',
        `At most ${MAX_BATCH} events per request, got ${items.length}`,
        {
          maxEvents: MAX_BATCH,
        },
      );
    }
    const errors: FieldError[] = [];
    const prepared: PreparedEvent[] = [];
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const prefix = isArray ? `[${index}]` : '';
      const parsed = parseEvent(item, { pair });
      if (!parsed.ok) {
        for (const error of parsed.errors) {
          errors.push({
            path: error.path === '' ? prefix : isArray ? `${prefix}.${error.path}` : error.path,
            message: error.message,
          });
        }
        return;
      }
      const given = parsed.value.id;
      if (given !== undefined) {
        const first = seen.get(given);
        if (first !== undefined) {
          errors.push({
            path: `${prefix}${isArray ? '.' : ''}id`,
            message: `the same id as event [${first}]`,
          });
          return;
        }
        seen.set(given, index);
      }
      prepared.push({ input: { ...parsed.value, id: given ?? randomUUID() }, idGiven: given !== undefined });
    });
    if (errors.length > 0) throw validationFailed(errors);
    return prepared;
  }

  /** Appends prepared events to a pair, atomically; see {@link AppendOutcome}. */
  async append(
    pair: PairId,
    events: readonly PreparedEvent[],
    options: AppendOptions,
  ): Promise<AppendOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.mutex.run(pair, () => this.appendOnce(pair, events, options));
      } catch (error) {
        // Another instance appended to this pair between our read and our write: without
        // If-Match the caller asked us to serialise, so read again and retry.
        const retryable = options.expectedRevision === undefined || options.expectedRevision === 'exists';
        if (error instanceof RevisionConflictError && retryable && attempt < CONFLICT_RETRIES) {
          this.readModel.forget(pair);
          continue;
        }
        if (error instanceof RevisionConflictError) {
          this.readModel.forget(pair);
          throw new ProblemError(
            'revision-mismatch',
            `The relation ${pair} is at revision ${error.actualRevision}`,
            { currentRevision: error.actualRevision },
            { ETag: `"${error.actualRevision}"` },
          );
        }
        throw error;
      }
    }
  }

  private async appendOnce(
    pair: PairId,
    events: readonly PreparedEvent[],
    options: AppendOptions,
  ): Promise<AppendOutcome> {
    const { events: existing, byId } = await this.readModel.indexedEvents(pair);
    const current = existing.length === 0 ? -1 : existing[existing.length - 1]!.revision;

    const stored: RecordedEvent[] = [];
    const fresh: PreparedEvent[] = [];
    for (const prepared of events) {
      const match = byId.get(prepared.input.id);
      if (match === undefined) {
        fresh.push(prepared);
        continue;
      }
      if (!this.sameContent(pair, prepared.input, match)) {
        throw new ProblemError(
          'event-id-conflict',
          `Event id ${prepared.input.id} is already stored in ${pair} (revision ${match.revision}) with other content`,
          { eventId: prepared.input.id },
        );
      }
      stored.push(match);
    }
    if (options.idsUnusedElsewhere !== true) await this.refuseIdsOfOtherPairs(pair, fresh);

    if (stored.length > 0 && fresh.length === 0) {
      // An idempotent retry: answer what the original append answered.
      const first = Math.min(...stored.map((e) => e.revision));
      const original = [...stored].sort((a, b) => a.revision - b.revision);
      return {
        status: 'replayed',
        currentRevision: current,
        alreadyStored: stored.length,
        result: {
          pair,
          revision: Math.max(...stored.map((e) => e.revision)),
          events: original.map(appended),
          warnings:
            options.warnings === false
              ? []
              : appendWarnings(
                  existing.filter((e) => e.revision < first),
                  original,
                  pair,
                ),
        },
      };
    }
    if (stored.length > 0 && !options.skipStored) {
      throw new ProblemError(
        'event-id-conflict',
        `Event ${stored[0]!.id} of this request is already stored but ${fresh[0]!.input.id} is not; ` +
          'a retry must repeat the original request exactly, and new events need new ids',
        { eventId: stored[0]!.id },
      );
    }

    const expected = options.expectedRevision;
    if (expected !== undefined && (expected === 'exists' ? current < 0 : expected !== current)) {
      throw new ProblemError(
        'revision-mismatch',
        expected === -1
          ? `The relation ${pair} already has events (revision ${current})`
          : expected === 'exists'
            ? `The relation ${pair} has no events yet`
            : `The relation ${pair} is at revision ${current}, not ${expected}`,
        { currentRevision: current },
        { ETag: `"${current}"` },
      );
    }

    const elsewhere = await this.targetsElsewhere(pair, existing, fresh);
    const recorded = this.record(
      pair,
      existing,
      fresh.map((p) => p.input),
      options.recordedBy,
      elsewhere,
    );
    if (recorded.length > 0) {
      await this.metrics.timeStore('append', () =>
        this.store.append(streamNameOf(pair), recorded.map(toNewEvent), {
          expectedRevision: current === -1 ? 'no-stream' : current,
        }),
      );
      this.readModel.appended(pair, recorded);
      this.metrics.appendedEvents.inc({ source: options.source }, recorded.length);
    }
    const revision = recorded.length > 0 ? recorded[recorded.length - 1]!.revision : current;
    return {
      status: 'created',
      currentRevision: revision,
      alreadyStored: stored.length,
      result: {
        pair,
        revision,
        events: recorded.map(appended),
        warnings:
          recorded.length > 0 && options.warnings !== false
            ? await this.warningsOfAppend(pair, existing, recorded)
            : [],
      },
    };
  }

  private async warningsOfAppend(
    pair: PairId,
    existing: readonly RecordedEvent[],
    recorded: readonly RecordedEvent[],
  ): Promise<Warning[]> {
    const kept = this.lastWarnings.get(pair);
    const head = existing[existing.length - 1]?.hash ?? GENESIS_HASH;
    const before = kept !== undefined && kept.hash === head ? kept.warnings : undefined;
    // The read model has just taken these events in and resumes its fold from a checkpoint instead
    // of folding the whole pair again. Its answer stands at exactly this append when its revision
    // is the last one recorded here (another writer's later event may have reached it since).
    const last = recorded[recorded.length - 1]!;
    const state = await this.readModel.state(pair, END_OF_TIME_QUESTION.asOf, END_OF_TIME_QUESTION.knownAt);
    const after =
      state.revision === last.revision ? state.warnings : endOfTimeWarnings([...existing, ...recorded], pair);
    // Bounded: a process appending to very many pairs keeps only the recent ones.
    if (this.lastWarnings.size >= 10_000) this.lastWarnings.clear();
    this.lastWarnings.set(pair, { hash: last.hash, warnings: after });
    return appendWarnings(existing, recorded, pair, { before, after });
  }

  /**
   * Builds the recorded envelopes of a batch, checking each correction or retraction against the
   * stream and the batch's earlier events (422 `invalid-reference`).
   */
  private record(
    pair: PairId,
    existing: readonly RecordedEvent[],
    inputs: readonly (EventInput & { id: string })[],
    recordedBy: string,
    elsewhere: readonly RecordedEvent[],
  ): RecordedEvent[] {
    const last = existing[existing.length - 1];
    const now = this.clock.now().toISOString();
    // Transaction time never goes backwards within a stream, whatever the clocks of other instances.
    const recordedAt = last !== undefined && last.recordedAt > now ? last.recordedAt : now;
    // Only corrections and retractions consult the index: a batch without one skips the stream.
    const references = new ReferenceIndex(inputs.some(isReference) ? [...existing, ...elsewhere] : []);
    const added: RecordedEvent[] = [];
    let prevHash = last?.hash ?? GENESIS_HASH;
    let revision = last === undefined ? 0 : last.revision + 1;
    inputs.forEach((input, index) => {
      const problem = isReference(input)
        ? validateReference(references.context(input.data.eventId), input, pair)
        : null;
      if (problem !== null) {
        throw new ProblemError('invalid-reference', inputs.length > 1 ? `[${index}]: ${problem}` : problem, {
          eventId: input.id,
          ...(inputs.length > 1 ? { index } : {}),
        });
      }
      const event = recordEnvelope(pair, input, { revision, recordedAt, recordedBy, prevHash });
      references.add(event);
      added.push(event);
      prevHash = event.hash;
      revision += 1;
    });
    return added;
  }

  /**
   * Same content = the client-supplied fields agree. Rebuilding the envelope with the stored
   * event's server-set fields and comparing hashes covers every field and every default the same
   * way the chain does.
   */
  private sameContent(pair: PairId, input: EventInput & { id: string }, stored: RecordedEvent): boolean {
    const again = recordEnvelope(pair, input, {
      revision: stored.revision,
      recordedAt: stored.recordedAt,
      recordedBy: stored.recordedBy,
      prevHash: stored.prevHash,
    });
    return again.hash === stored.hash;
  }

  /**
   * Targets of corrections and retractions that are neither in the stream nor in the batch: looked
   * up in the whole store, so that naming an event of another pair is told apart from naming none.
   */
  private async targetsElsewhere(
    pair: PairId,
    existing: readonly RecordedEvent[],
    fresh: readonly PreparedEvent[],
  ): Promise<RecordedEvent[]> {
    const references = fresh.map((p) => p.input).filter(isReference);
    if (references.length === 0) return [];
    const known = new Set([...existing.map((e) => e.id), ...fresh.map((p) => p.input.id)]);
    const wanted = new Set<string>();
    for (const input of references) if (!known.has(input.data.eventId)) wanted.add(input.data.eventId);
    if (wanted.size === 0) return [];
    const found = await this.metrics.timeStore('findEvents', () => this.store.findEvents([...wanted]));
    return [...wanted]
      .map((id) => found.get(id.toLowerCase()))
      .filter((e) => e !== undefined && e.streamName !== streamNameOf(pair))
      .map((e) => fromStored(e!));
  }

  /** An id the client chose must not name an event of another pair (409). */
  private async refuseIdsOfOtherPairs(pair: PairId, fresh: readonly PreparedEvent[]): Promise<void> {
    const chosen = fresh.filter((p) => p.idGiven).map((p) => p.input.id);
    if (chosen.length === 0) return;
    // One batched lookup: an import of a million events asked the store a million times before.
    const found = await this.metrics.timeStore('findEvents', () => this.store.findEvents(chosen));
    const elsewhere = chosen
      .map((id) => found.get(id.toLowerCase()))
      .find((event) => event !== undefined && event.streamName !== streamNameOf(pair));
    if (elsewhere !== undefined) {
      throw new ProblemError(
        'event-id-conflict',
        `Event id ${elsewhere.id} is already used in another relation`,
        {
          eventId: elsewhere.id,
        },
      );
    }
  }
}
