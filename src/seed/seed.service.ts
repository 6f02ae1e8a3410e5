import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ImportService, type PairImportSummary } from '../relations/import.service';
import { EVENT_STORE, RELATION_STREAM_PREFIX, type EventStore } from '../store/event-store.port';

/** The principal of seeded events. */
export const SEED_PRINCIPAL = 'system:seed';

/**
 * `events/datasets`: two folders up from this file (in `dist/`, where the Nest CLI copies the
 * assets; in the sources, the folder itself), else the source tree beside a compiled server.
 */
export function findDatasetsDir(): string | undefined {
  const compiled = join(__dirname, '..', '..', 'events', 'datasets');
  const candidates = [compiled, join(__dirname, '..', '..', '..', 'events', 'datasets')];
  return candidates.find((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.ndjson')));
}

/** Thrown when the seed file itself is unusable: the start stops, naming every bad line. */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

/**
 * Loads `SEED` into an empty store, through the same append path as every other write, so a
 * first visit shows data. A store with any relation stream is never seeded.
 */
@Injectable()
export class SeedService {
  private readonly logger = new Logger('Seed');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly importer: ImportService,
  ) {}

  /** The files `SEED` names. */
  files(): string[] {
    const seed = this.config.seed;
    if (seed.kind === 'none') return [];
    if (seed.kind === 'file') return [seed.path];
    const dir = findDatasetsDir();
    if (dir === undefined) {
      this.logger.warn('SEED=bundled but no events/datasets/*.ndjson was found; starting empty');
      return [];
    }
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ndjson'))
      .sort()
      .map((f) => join(dir, f));
  }

  async seedIfEmpty(): Promise<PairImportSummary[]> {
    const files = this.files();
    if (files.length === 0) return [];
    if ((await this.store.listStreams(RELATION_STREAM_PREFIX)).length > 0) return [];
    const summaries: PairImportSummary[] = [];
    for (const file of files) {
      if (!existsSync(file)) throw new SeedError(`SEED file ${file} does not exist`);
      const parsed = this.importer.parse(readFileSync(file, 'utf8'));
      if (parsed.badLines.length > 0) {
        const lines = parsed.badLines
          .map(
            (bad) =>
              `  line ${bad.line}: ${bad.errors.map((e) => `${e.path || '(line)'} ${e.message}`).join('; ')}`,
          )
          .join('\n');
        throw new SeedError(`SEED file ${file} has ${parsed.badLines.length} bad line(s):\n${lines}`);
      }
      summaries.push(...(await this.importer.import(parsed, { recordedBy: SEED_PRINCIPAL, source: 'seed' })));
    }
    const stored = summaries.reduce((n, s) => n + s.stored, 0);
    this.logger.log(`Seeded ${stored} events into ${summaries.length} relation(s) from ${files.join(', ')}`);
    return summaries;
  }
}
