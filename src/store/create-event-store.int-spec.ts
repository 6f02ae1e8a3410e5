import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, parseStoreUrl } from './create-event-store';
import { SqliteEventStore } from './sqlite-event-store';

describe('parseStoreUrl', () => {
  it.each([
    ['memory', { kind: 'memory' }],
    ['sqlite:./data/relations.db', { kind: 'sqlite', file: './data/relations.db', synchronous: 'FULL' }],
    [
      'sqlite:/var/lib/r.db?synchronous=normal',
      { kind: 'sqlite', file: '/var/lib/r.db', synchronous: 'NORMAL' },
    ],
    [
      'kurrentdb://kurrentdb:2113?tls=false',
      { kind: 'kurrentdb', connectionString: 'kurrentdb://kurrentdb:2113?tls=false' },
    ],
    [
      'esdb://localhost:2113?tls=false',
      { kind: 'kurrentdb', connectionString: 'kurrentdb://localhost:2113?tls=false' },
    ],
    [
      'esdb+discover://a:2113,b:2113?tls=false',
      { kind: 'kurrentdb', connectionString: 'kurrentdb+discover://a:2113,b:2113?tls=false' },
    ],
    [
      'kurrentdb://node1:2113,node2:2113,node3:2113?tls=false',
      { kind: 'kurrentdb', connectionString: 'kurrentdb://node1:2113,node2:2113,node3:2113?tls=false' },
    ],
  ])('reads %s', (value, expected) => {
    expect(parseStoreUrl(value)).toEqual(expected);
  });

  it.each([
    ['sqlite:', /needs a file path/],
    ['sqlite:./x.db?synchronous=OFF', /synchronous=OFF is unknown/],
    ['sqlite:./x.db?journal=delete', /journal=delete is unknown/],
    ['kurrentdb://', /needs a host/],
    [
      'postgres://localhost/db',
      /must be sqlite:<file>, a kurrentdb:\/\/ or esdb:\/\/ connection string, or memory/,
    ],
    ['', /must be/],
  ])('refuses %j with a message saying why', (value, message) => {
    const parsed = parseStoreUrl(value);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.problem).toMatch(message);
  });
});

describe('createEventStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-create-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a SQLite file, creating its parent folders', async () => {
    const file = join(dir, 'a', 'b', 'relations.db');
    const store = await createEventStore(`sqlite:${file}?synchronous=NORMAL`);
    try {
      expect(store.kind).toBe('sqlite');
      expect(existsSync(file)).toBe(true);
      expect((store as SqliteEventStore).settings().synchronous).toBe('NORMAL');
    } finally {
      await store.close();
    }
  });

  it('creates the memory and KurrentDB stores without touching the network', async () => {
    const memory = await createEventStore('memory');
    const kurrent = await createEventStore('esdb://127.0.0.1:1?tls=false');
    expect([memory.kind, kurrent.kind]).toEqual(['memory', 'kurrentdb']);
    await Promise.all([memory.close(), kurrent.close()]);
  });

  it('throws the problem of an invalid value', async () => {
    await expect(createEventStore('mysql://x')).rejects.toThrow(/EVENT_STORE must be/);
  });
});
