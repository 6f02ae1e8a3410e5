/**
 * Child process for the SQLite locking test: opens the store named on the command line, appends
 * one event, says `ready`, and holds the store until killed.
 */
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/store/sqlite-event-store';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: hold-store.ts <file>');
  const store = SqliteEventStore.open(file);
  await store.append('relation-AAA-BBB', [
    {
      id: randomUUID(),
      type: 'other-development',
      data: { category: 'held by child' },
      metadata: {
        recordedAt: new Date().toISOString(),
        recordedBy: 'child',
        schemaVersion: 1,
        prevHash: '0'.repeat(64),
        hash: '0'.repeat(64),
      },
    },
  ]);
  process.stdout.write(`ready ${process.pid}\n`);
  // The timer keeps the process alive and, through its closure, the store reachable: a collected
  // connection would close and drop the lock.
  setInterval(() => store.ping(), 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
