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
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, index) => {
      if (raw.trim() === '') return;
      const lineNumber = index + 1;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        badLines.push({ line: lineNumber, errors: [{ path: '', message: 'not valid JSON' }] });
        return;
      }
      const parsed = parseImportLine(json);
      if (!parsed.ok) {
        badLines.push({ line: lineNumber, errors: parsed.errors });
        return;
      }
      const { pair, event } = parsed.value;
      const id = event.id ?? uuidv5(canonicalize({ pair, ...event }) ?? raw, IMPORT_ID_NAMESPACE);
      const first = seen.get(id);
      if (first !== undefined) {
        // The same event twice in one file is one fact; a different one under the same id is a mistake.
        badLines.push({
          line: lineNumber,
          errors: [{ path: 'id', message: `the same id as line ${first}` }],
        });
        return;
      }
      seen.set(id, lineNumber);
      const list = byPair.get(pair) ?? [];
      list.push({ input: { ...event, id }, idGiven: event.id !== undefined });
      byPair.set(pair, list);
      events += 1;
    });
    return { byPair, badLines, events };
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
    // Ids are unique across the file (parse refuses repeats), so when the store starts empty and
    // nobody else can write to it meanwhile (SQLite holds an exclusive lock; memory is this
    // process), no id can be in another pair and the lookup per id is skipped.
    const idsUnusedElsewhere =
      this.store.kind !== 'kurrentdb' && (await this.store.listStreams(RELATION_STREAM_PREFIX)).length === 0;
    for (const [pair, events] of parsed.byPair) {
      const summary: PairImportSummary = { pair, stored: 0, alreadyPresent: 0, revision: -1 };
      for (let start = 0; start < events.length; start += MAX_BATCH) {
        const batch = events.slice(start, start + MAX_BATCH);
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
        handled += batch.length;
        options.onProgress?.(handled);
      }
      summaries.push(summary);
    }
    return summaries;
  }
}
