/**
 * The contract against a real KurrentDB: the one named by KURRENTDB_CONNECTION_STRING (CI runs a
 * service container), else one started with testcontainers when a container runtime is found,
 * else the suite is skipped and says why (test/support/kurrentdb.ts decides).
 */
import { EventStore } from '../../src/store/event-store.port';
import { KurrentDbEventStore } from '../../src/store/kurrentdb-event-store';
import { describeEventStoreContract } from './event-store.contract';
import { planKurrentDb, useKurrentDb } from '../support/kurrentdb';
import { reportSkip } from '../support/skip-reason';

const decided = planKurrentDb();

if ('skip' in decided) {
  reportSkip(`KurrentDB contract skipped: ${decided.skip}`);
  describe.skip('kurrentdb event store contract', () => {
    it('needs a KurrentDB', () => undefined);
  });
} else {
  const connectionString = useKurrentDb(decided);

  describeEventStoreContract('kurrentdb', async () => {
    let store: EventStore = KurrentDbEventStore.connect(connectionString());
    return {
      store,
      reopen: async () => {
        await store.close();
        store = KurrentDbEventStore.connect(connectionString());
        return store;
      },
      cleanup: () => store.close(),
      duplicateIds: 'stored',
    };
  });
}
