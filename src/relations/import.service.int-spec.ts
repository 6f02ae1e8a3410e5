import { mkdtempSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { streamNameOf } from '../../events/countries';
import { verifyChain } from '../../projections/hash-chain';
import { SystemClock } from '../clock/clock';
import { MetricsService } from '../metrics/metrics.service';
import { CachedRelationReadModel } from '../read-model/cached-relation-read-model';
import { SqliteEventStore } from '../store/sqlite-event-store';
import { talksEvent } from '../../test/support/http';
import { storedForm } from './event-codec';
import { ImportService } from './import.service';
import { RelationsService } from './relations.service';

function linesOf(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

describe('ImportService, streamed in two passes', () => {
  let dir: string;
  let store: SqliteEventStore;
  let importer: ImportService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-import-'));
    store = SqliteEventStore.open(join(dir, 'store.db'));
    const metrics = new MetricsService();
    const relations = new RelationsService(
      store,
      new CachedRelationReadModel(store, metrics),
      new SystemClock(),
      metrics,
    );
    importer = new ImportService(relations, store);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['batches fill', undefined],
    ['few events may wait', 40],
  ])(
    'stores each pair in file order when %s, with an intact chain and pairs in order of first appearance',
    async (_, maxPendingEvents) => {
      // Given a file where a large pair (2,500 events: three batches) is interleaved with a small one
      const lines: string[] = [];
      const order = { 'JPN-KOR': [] as string[], 'CHN-JPN': [] as string[] };
      for (let i = 0; i < 2500; i++) {
        if (i % 100 === 50) {
          const summary = `CHN-JPN ${i}`;
          order['CHN-JPN'].push(summary);
          lines.push(JSON.stringify({ ...talksEvent(i, { actor: 'CHN', summary }), pair: 'CHN-JPN' }));
        }
        const summary = `JPN-KOR ${i}`;
        order['JPN-KOR'].push(summary);
        lines.push(JSON.stringify({ ...talksEvent(i, { summary }), pair: 'JPN-KOR' }));
        if (i % 700 === 0) lines.push('');
      }
      const file = join(dir, 'import.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);

      // When it is checked, then imported, both passes reading the file line by line
      const checked = await importer.check(linesOf(file));
      const progress: number[] = [];
      const summaries = await importer.importLines(linesOf(file), {
        recordedBy: 'test',
        source: 'import',
        onProgress: (n) => progress.push(n),
        maxPendingEvents,
      });

      // Then every event is stored once, each pair in file order, its chain intact
      expect(checked).toMatchObject({ badLines: [], events: 2525 });
      expect([...checked.perPair]).toEqual([
        ['JPN-KOR', 2500],
        ['CHN-JPN', 25],
      ]);
      expect(summaries).toEqual([
        { pair: 'JPN-KOR', stored: 2500, alreadyPresent: 0, revision: 2499 },
        { pair: 'CHN-JPN', stored: 25, alreadyPresent: 0, revision: 24 },
      ]);
      expect(progress.at(-1)).toBe(2525);
      for (const pair of ['JPN-KOR', 'CHN-JPN'] as const) {
        const stored = (await store.readStream(streamNameOf(pair))).map(storedForm);
        expect(stored.map((e) => e.summary)).toEqual(order[pair]);
        expect(verifyChain(stored)).toEqual({ valid: true, checked: order[pair].length });
      }
    },
  );

  it('reports every bad line by its number in the first pass', async () => {
    // Given a file with a good line, a line that is not JSON, a blank line and an invalid event
    const file = join(dir, 'bad.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ ...talksEvent(1), pair: 'JPN-KOR' }),
        '{not json',
        '',
        JSON.stringify({ ...talksEvent(2, { date: '2019-13-01' }), pair: 'JPN-KOR' }),
      ].join('\r\n'),
    );

    // When it is checked
    const checked = await importer.check(linesOf(file));

    // Then lines 2 and 4 are reported, and the good line counted
    expect(checked.badLines.map((bad) => bad.line)).toEqual([2, 4]);
    expect(checked.badLines[1]!.errors[0]!.path).toBe('date');
    expect(checked.events).toBe(1);
  });
});
