import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { v5 as uuidv5 } from 'uuid';
import type { PairId } from '../../events/catalogue';
import type { FieldError } from '../http/problem';
import { EVENT_STORE, RELATION_STREAM_PREFIX, type EventStore } from '../store/event-store.port';
import { parseImportLine } from './domain';
import { MAX_BATCH, RelationsService, type PreparedEvent } from './relations.service';

/**
 * Namespace of the UUID v5 ids derived from an import line's content: the same line always gets
 * the same id, so importing a file twice stores its events once. Never change it.
 */
export const IMPORT_ID_NAMESPACE = '0d7c6a1e-5b8f-4c1e-9a43-6f2d8e7b1c55';

/**
 * Events a streamed import holds at most before appending what it has (about 1.5 kB of heap each).
 * Each append of a pair costs ~0.6 ms beyond its events, so the bound keeps batches large: on a
 * million events over 1,000 pairs, a bound of 100,000 (batches of ~100) took the import from 0.58 to
 * 0.52 of raw.
 */
export const MAX_PENDING_EVENTS = 250_000;

/** One line that cannot be imported, numbered from 1. */
export interface BadLine {
  line: number;
  errors: FieldError[];
}

/** An import file checked line by line: events grouped by pair (in file order), or every bad line. */
export interface ParsedImport {
  byPair: Map<PairId, PreparedEvent[]>;
  badLines: BadLine[];
  events: number;
}

/** A streamed import file checked line by line: how many good events per pair, or every bad line. */
export interface ImportCheck {
  perPair: Map<PairId, number>;
  badLines: BadLine[];
  events: number;
}

/** What an import did to one pair. */
export interface PairImportSummary {
  pair: PairId;
  stored: number;
  alreadyPresent: number;
  revision: number;
}

/** Reads NDJSON imports (the format `export` writes) and appends them through {@link RelationsService}. */
@Injectable()
export class ImportService {
  constructor(
    private readonly relations: RelationsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Validates every line first; blank lines are skipped. */
  parse(text: string): ParsedImport {
    const byPair = new Map<PairId, PreparedEvent[]>();
    const badLines: BadLine[] = [];
    const seen = new Map<string, number>();
    let events = 0;
    text.split(/\r?\n/).forEach((raw, index) => {
      const checked = checkLine(raw, index + 1, seen);
      if (checked === undefined) return;
      if ('errors' in checked) {
        badLines.push(checked);
        return;
      }
      const list = byPair.get(checked.pair) ?? [];
      list.push(checked.prepared);
      byPair.set(checked.pair, list);
      events += 1;
    });
    return { byPair, badLines, events };
  }

  /**
   * The first pass of a streamed import: checks every line as {@link parse} does, keeping only
   * counts and bad lines, so a file larger than memory (or than one string) can be checked.
   */
  async check(lines: AsyncIterable<string>): Promise<ImportCheck> {
    const perPair = new Map<PairId, number>();
    const badLines: BadLine[] = [];
    const seen = new Map<string, number>();
    let events = 0;
    let lineNumber = 0;
    for await (const raw of lines) {
      lineNumber += 1;
      const checked = checkLine(raw, lineNumber, seen);
      if (checked === undefined) continue;
      if ('errors' in checked) badLines.push(checked);
      else {
        perPair.set(checked.pair, (perPair.get(checked.pair) ?? 0) + 1);
        events += 1;
      }
    }
    return { perPair, badLines, events };
  }

  /**
   * The second pass of a streamed import, over lines {@link check} found good: each pair's events
   * are appended in file order, in batches of up to 1000 as they fill (or, when the events waiting
   * reach {@link MAX_PENDING_EVENTS}, all at once), so memory stays bounded whatever the file's size.
   * Summaries come in the order pairs first appear. Throws on a bad line.
   */
  async importLines(
    lines: AsyncIterable<string>,
    options: {
      recordedBy: string;
      source: 'import' | 'seed';
      onProgress?: (handled: number) => void;
      /** Defaults to {@link MAX_PENDING_EVENTS}. */
      maxPendingEvents?: number;
    },
  ): Promise<PairImportSummary[]> {
    const maxPending = options.maxPendingEvents ?? MAX_PENDING_EVENTS;
    const pending = new Map<PairId, PreparedEvent[]>();
    const summaries = new Map<PairId, PairImportSummary>();
    const seen = new Map<string, number>();
    const idsUnusedElsewhere = await this.storeStartsEmpty();
    let handled = 0;
    let pendingEvents = 0;
    const flush = async (pair: PairId, batch: PreparedEvent[]): Promise<void> => {
      pending.set(pair, []);
      pendingEvents -= batch.length;
      await this.appendBatch(pair, batch, summaries.get(pair)!, options, idsUnusedElsewhere);
      handled += batch.length;
      options.onProgress?.(handled);
    };
    let lineNumber = 0;
    for await (const raw of lines) {
      lineNumber += 1;
      const checked = checkLine(raw, lineNumber, seen);
      if (checked === undefined) continue;
      if ('errors' in checked) throw new Error(`line ${lineNumber} is not importable; check the file first`);
      const { pair, prepared } = checked;
      if (!summaries.has(pair)) summaries.set(pair, { pair, stored: 0, alreadyPresent: 0, revision: -1 });
      const batch = pending.get(pair) ?? [];
      batch.push(prepared);
      pending.set(pair, batch);
      pendingEvents += 1;
      if (batch.length === MAX_BATCH) await flush(pair, batch);
      else if (pendingEvents >= maxPending) {
        // Many pairs each short of a batch: append them all rather than hold the file in memory.
        for (const [waiting, events] of pending) if (events.length > 0) await flush(waiting, events);
      }
    }
    for (const [pair, batch] of pending) if (batch.length > 0) await flush(pair, batch);
    return [...summaries.values()];
  }

  /**
   * Appends pair by pair in batches of up to 1000 events; events already stored with the same
   * content are counted, not stored again. `onProgress` gets the number of events handled so far.
   */
  async import(
    parsed: ParsedImport,
    options: { recordedBy: string; source: 'import' | 'seed'; onProgress?: (handled: number) => void },
  ): Promise<PairImportSummary[]> {
    const summaries: PairImportSummary[] = [];
    let handled = 0;
    const idsUnusedElsewhere = await this.storeStartsEmpty();
    for (const [pair, events] of parsed.byPair) {
      const summary: PairImportSummary = { pair, stored: 0, alreadyPresent: 0, revision: -1 };
      for (let start = 0; start < events.length; start += MAX_BATCH) {
        const batch = events.slice(start, start + MAX_BATCH);
        await this.appendBatch(pair, batch, summary, options, idsUnusedElsewhere);
        handled += batch.length;
        options.onProgress?.(handled);
      }
      summaries.push(summary);
    }
    return summaries;
  }

  /**
   * Ids are unique across the file (checking refuses repeats), so when the store starts empty and
   * nobody else can write to it meanwhile (SQLite holds an exclusive lock; memory is this
   * process), no id can be in another pair and the lookup of ids is skipped.
   */
  private async storeStartsEmpty(): Promise<boolean> {
    return (
      this.store.kind !== 'kurrentdb' && (await this.store.listStreams(RELATION_STREAM_PREFIX)).length === 0
    );
  }

  private async appendBatch(
    pair: PairId,
    batch: PreparedEvent[],
    summary: PairImportSummary,
    options: { recordedBy: string; source: 'import' | 'seed' },
    idsUnusedElsewhere: boolean,
  ): Promise<void> {
    const outcome = await this.relations.append(pair, batch, {
      recordedBy: options.recordedBy,
      source: options.source,
      skipStored: true,
      warnings: false,
      idsUnusedElsewhere,
    });
    summary.alreadyPresent += outcome.alreadyStored;
    summary.stored += outcome.status === 'created' ? outcome.result.events.length : 0;
    summary.revision = outcome.currentRevision;
  }
}

/**
 * One line checked: nothing for a blank line, its errors, or its pair and event with the id it
 * will be stored under. `seen` maps the ids of earlier good lines to their line numbers.
 */
function checkLine(
  raw: string,
  lineNumber: number,
  seen: Map<string, number>,
): undefined | BadLine | { pair: PairId; prepared: PreparedEvent } {
  if (raw.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { line: lineNumber, errors: [{ path: '', message: 'not valid JSON' }] };
  }
  const parsed = parseImportLine(json);
  if (!parsed.ok) return { line: lineNumber, errors: parsed.errors };
  const { pair, event } = parsed.value;
  const id = event.id ?? uuidv5(canonicalize({ pair, ...event }) ?? raw, IMPORT_ID_NAMESPACE);
  const first = seen.get(id);
  if (first !== undefined) {
    // The same event twice in one file is one fact; a different one under the same id is a mistake.
    return { line: lineNumber, errors: [{ path: 'id', message: `the same id as line ${first}` }] };
  }
  seen.set(id, lineNumber);
  return { pair, prepared: { input: { ...event, id }, idGiven: event.id !== undefined } };
}
