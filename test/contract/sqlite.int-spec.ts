import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '../../src/store/event-store.port';
import { SqliteEventStore } from '../../src/store/sqlite-event-store';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relations-contract-'));
  const file = join(dir, 'nested', 'events.db');
  let store: EventStore = SqliteEventStore.open(file);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = SqliteEventStore.open(file);
      return store;
    },
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    duplicateIds: 'refused',
  };
});
