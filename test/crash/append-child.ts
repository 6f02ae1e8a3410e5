/**
 * Child process of the crash test: appends hash-chained batches of 1–20 events to a few relation
 * streams of the SQLite file named on the command line, as fast as it can, until it is killed.
 * After each append resolves it prints one line, `ack <stream> <batchId> <size> <id,id,…>`: the
 * parent treats exactly those batches as acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, type RecordedEvent, type StoredEnvelope } from '../../events/catalogue';
import { computeHash } from '../../projections/hash-chain';
import { toNewEvent } from '../../src/relations/event-codec';
import { SqliteEventStore } from '../../src/store/sqlite-event-store';

export const CRASH_PAIRS = ['CHN-USA', 'DEU-FRA', 'JPN-KOR'];

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: append-child.ts <file>');
  const store = SqliteEventStore.open(file);
  const heads = new Map<string, { revision: number; hash: string }>();
  for (const pair of CRASH_PAIRS) {
    const [last] = await store.readStream(`relation-${pair}`, { direction: 'backwards', maxCount: 1 });
    heads.set(
      pair,
      last ? { revision: last.revision, hash: last.metadata.hash } : { revision: -1, hash: GENESIS_HASH },
    );
  }
  process.stdout.write('started\n');
  for (let counter = 0; ; counter += 1) {
    const pair = CRASH_PAIRS[counter % CRASH_PAIRS.length] as string;
    const head = heads.get(pair) as { revision: number; hash: string };
    const size = 1 + Math.floor(Math.random() * 20);
    const batchId = randomUUID();
    let { revision, hash } = head;
    const batch: RecordedEvent[] = [];
    for (let index = 0; index < size; index += 1) {
      revision += 1;
      const envelope: StoredEnvelope = {
        type: 'other-development',
        data: { category: 'crash-test' },
        id: randomUUID(),
        pair,
        revision,
        date: '2020-01-01',
        actor: pair.slice(0, 3),
        summary: `crash batch ${batchId} event ${index + 1} of ${size}`,
        sources: [],
        recordedAt: new Date().toISOString(),
        recordedBy: 'crash-test',
        schemaVersion: 1,
        prevHash: hash,
      };
      hash = computeHash(envelope);
      batch.push({ ...envelope, hash });
    }
    await store.append(`relation-${pair}`, batch.map(toNewEvent), { expectedRevision: head.revision });
    heads.set(pair, { revision, hash });
    process.stdout.write(`ack relation-${pair} ${batchId} ${size} ${batch.map((e) => e.id).join(',')}\n`);
    // Yield so stdout drains and the parent's SIGKILL can land between and inside appends alike.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
