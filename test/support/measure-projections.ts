/**
 * Measures the projections on a synthetic 5,000-event pair, each beside its baseline in the same
 * run: a cold state (read + parse + fold) against the raw read + parse of the same SQLite rows,
 * and 120 monthly snapshots against one state. Prints a table; asserts nothing (figures on a
 * shared machine are for reading, not for failing a build). Run it compiled:
 *   npx tsc --outDir /tmp/measure --module commonjs --target es2022 --esModuleInterop \
 *     --resolveJsonModule --skipLibCheck test/support/measure-projections.ts
 *   NODE_PATH=$PWD/node_modules node /tmp/measure/test/support/measure-projections.js [events]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../events/catalogue';
import { snapshotsAt, dateSeries } from '../../projections/snapshots';
import { stateAt } from '../../projections/state';
import { syntheticRecord } from './synthetic-events';

const PAIR = 'JPN-KOR';
const KNOWN_AT = '2027-01-01T00:00:00.000Z';

/**
 * Times each piece of work `rounds` times, interleaved so that every piece sees the same machine
 * load, and keeps the best time of each: on a shared, loaded machine the minimum is the least
 * disturbed figure.
 */
function timeInterleaved<K extends string>(
  rounds: number,
  work: Record<K, () => unknown>,
): Record<K, number> {
  const best = {} as Record<K, number>;
  const entries = Object.entries(work) as [K, () => unknown][];
  for (const [name, run] of entries) {
    for (let i = 0; i < 3; i++) run();
    best[name] = Infinity;
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of entries) {
      const start = process.hrtime.bigint();
      run();
      best[name] = Math.min(best[name], Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return best;
}

function main(): void {
  const count = Number(process.argv[2] ?? 5000);
  const events = syntheticRecord(PAIR, count);
  const dir = mkdtempSync(join(tmpdir(), 'relations-measure-'));
  const db = new Database(join(dir, 'measure.db'));
  try {
    db.exec('CREATE TABLE events (stream TEXT, revision INTEGER, body TEXT, PRIMARY KEY (stream, revision))');
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const e of events) insert.run(`relation-${PAIR}`, e.revision, JSON.stringify(e));
    })();
    const select = db.prepare('SELECT body FROM events WHERE stream = ? ORDER BY revision');
    const read = (): RecordedEvent[] =>
      (select.all(`relation-${PAIR}`) as { body: string }[]).map(
        (row) => JSON.parse(row.body) as RecordedEvent,
      );

    const asOf = '2025-12-31';
    // Folds below work on parsed rows, as the service does, not on the builder's objects.
    const parsed = read();
    const dates = dateSeries('2016-01-01', '2025-12-31', 'month');
    const widespread = dateSeries('1950-01-01', '2025-12-31', 'quarter')
      .filter((_, i) => i % 2 === 0)
      .slice(0, 120);
    const t = timeInterleaved(40, {
      raw: read,
      cold: () => stateAt(read(), { pair: PAIR, asOf, knownAt: KNOWN_AT }),
      foldOnly: () => stateAt(parsed, { pair: PAIR, asOf, knownAt: KNOWN_AT }),
      midAsOf: () => stateAt(parsed, { pair: PAIR, asOf: '1990-06-30', knownAt: KNOWN_AT }),
      snapshots: () => snapshotsAt(parsed, { pair: PAIR, dates, knownAt: KNOWN_AT }),
      spread: () => snapshotsAt(parsed, { pair: PAIR, dates: widespread, knownAt: KNOWN_AT }),
    });
    const { raw, cold, foldOnly, midAsOf, snapshots, spread } = t;

    const rows = [
      ['events', String(count)],
      ['raw read + JSON.parse (ms)', raw.toFixed(2)],
      ['cold state: read + parse + fold (ms)', cold.toFixed(2)],
      ['  ratio raw / cold (bar ≥ 0.5)', (raw / cold).toFixed(2)],
      ['fold alone, asOf 2025-12-31 (ms)', foldOnly.toFixed(2)],
      ['fold alone, asOf 1990-06-30 (ms)', midAsOf.toFixed(2)],
      [`snapshots, ${dates.length} monthly 2016–2025 (ms)`, snapshots.toFixed(2)],
      ['  ratio snapshots / one state (bar ≤ 10)', (snapshots / foldOnly).toFixed(2)],
      [`snapshots, ${widespread.length} half-yearly 1950–2009 (ms)`, spread.toFixed(2)],
      ['  ratio snapshots / one state (bar ≤ 10)', (spread / foldOnly).toFixed(2)],
    ];
    for (const [name, value] of rows) console.log(`${name!.padEnd(48)} ${value}`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
