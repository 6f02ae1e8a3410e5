/**
 * `EVENT_STORE` as a value: parsed once (so configuration errors are reported with the others at
 * start) and turned into an adapter.
 */
import type { EventStore } from './event-store.port';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { MemoryEventStore } from './memory-event-store';
import { SqliteEventStore, SqliteSynchronous } from './sqlite-event-store';

/** A parsed `EVENT_STORE`, or the reason it is not one. */
export type StoreUrl =
  | { kind: 'sqlite'; file: string; synchronous: SqliteSynchronous }
  | { kind: 'memory' }
  | { kind: 'kurrentdb'; connectionString: string }
  | { kind: 'invalid'; problem: string };

const KURRENT_SCHEMES = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//i;

/**
 * `sqlite:<file>[?synchronous=FULL|NORMAL]`, `memory`, or a `kurrentdb://…` connection string
 * (`esdb://…` accepted and rewritten, as the KurrentDB client deprecates it).
 */
export function parseStoreUrl(value: string): StoreUrl {
  const text = value.trim();
  if (text === 'memory') return { kind: 'memory' };
  if (text.startsWith('sqlite:')) {
    const rest = text.slice('sqlite:'.length);
    const query = rest.lastIndexOf('?');
    const file = query === -1 ? rest : rest.slice(0, query);
    if (file.length === 0) return { kind: 'invalid', problem: 'EVENT_STORE sqlite:<file> needs a file path' };
    let synchronous: SqliteSynchronous = 'FULL';
    const params = new URLSearchParams(query === -1 ? '' : rest.slice(query + 1));
    for (const [key, raw] of params) {
      const option = raw.toUpperCase();
      if (key === 'synchronous' && (option === 'FULL' || option === 'NORMAL')) synchronous = option;
      else {
        return {
          kind: 'invalid',
          problem: `EVENT_STORE sqlite option ${key}=${raw} is unknown (only synchronous=FULL|NORMAL)`,
        };
      }
    }
    return { kind: 'sqlite', file, synchronous };
  }
  const scheme = KURRENT_SCHEMES.exec(text);
  if (scheme) {
    const discover = scheme[2] ?? '';
    const connectionString = `kurrentdb${discover}://${text.slice(scheme[0].length)}`;
    if (connectionString.length === `kurrentdb${discover}://`.length) {
      return {
        kind: 'invalid',
        problem: 'EVENT_STORE kurrentdb:// needs a host, e.g. kurrentdb://localhost:2113?tls=false',
      };
    }
    return { kind: 'kurrentdb', connectionString };
  }
  return {
    kind: 'invalid',
    problem: `EVENT_STORE must be sqlite:<file>, a kurrentdb:// or esdb:// connection string, or memory, got "${value}"`,
  };
}

/**
 * Opens the store `url` names. SQLite creates the file and its folders; KurrentDB connects lazily
 * (its health shows through `ping`), so the service starts while the database is still coming up.
 */
export async function createEventStore(url: string): Promise<EventStore> {
  const parsed = parseStoreUrl(url);
  switch (parsed.kind) {
    case 'memory':
      return new MemoryEventStore();
    case 'sqlite':
      return SqliteEventStore.open(parsed.file, { synchronous: parsed.synchronous });
    case 'kurrentdb':
      return KurrentDbEventStore.connect(parsed.connectionString);
    case 'invalid':
      throw new Error(parsed.problem);
  }
}
