import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StoreUnavailableError, type NewEvent } from './event-store.port';
import { SqliteEventStore } from './sqlite-event-store';
import { migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from './sqlite-migrations';

const ROOT = resolve(__dirname, '..', '..');

function event(label: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'other-development',
    data: { category: label },
    metadata: {
      recordedAt: '2026-01-01T00:00:00.000Z',
      recordedBy: 'test',
      schemaVersion: 1,
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    },
  };
}

/** Starts a real second process holding the store; resolves once it has appended. */
function holdInChild(file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'test/crash/register-ts.js'), join(ROOT, 'test/crash/hold-store.ts'), file],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolveReady, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolveReady(child);
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

describe('SQLite store on disk', () => {
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-sqlite-'));
    file = join(dir, 'deep', 'er', 'relations.db');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  describe('locking', () => {
    it('refuses a file held by another process, naming that process', async () => {
      const child = await holdInChild(file);
      children.push(child);

      let error: unknown;
      try {
        SqliteEventStore.open(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(`The SQLite file ${file} is locked by another process`);
      expect((error as Error).message).toContain(`pid ${child.pid}`);
    }, 20_000);

    it('opens the file once the holding process was killed, with what it had stored', async () => {
      const child = await holdInChild(file);
      child.kill('SIGKILL');
      await exited(child);

      const store = SqliteEventStore.open(file);
      try {
        expect(await store.listStreams('relation-')).toEqual(['relation-AAA-BBB']);
        expect(await store.streamRevision('relation-AAA-BBB')).toBe(0);
      } finally {
        await store.close();
      }
    }, 20_000);

    it('refuses a second store on the same file in the same process, and allows it after close', async () => {
      const first = SqliteEventStore.open(file);
      expect(() => SqliteEventStore.open(file)).toThrow(/locked by another process/);
      await first.close();

      const second = SqliteEventStore.open(file);
      await second.close();
    });

    it('lets a plain reader look at the file while the store is open', async () => {
      const store = SqliteEventStore.open(file);
      await store.append('relation-AAA-BBB', [event('a'), event('b')]);
      const reader = new Database(file, { readonly: true });
      try {
        expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
      } finally {
        reader.close();
        await store.close();
      }
    });
  });

  describe('settings', () => {
    it('runs in WAL mode with synchronous=FULL and a short busy timeout by default', async () => {
      const store = SqliteEventStore.open(file);
      try {
        expect(store.settings()).toEqual({
          journalMode: 'wal',
          synchronous: 'FULL',
          busyTimeoutMs: 1000,
          schemaVersion: SCHEMA_VERSION,
        });
      } finally {
        await store.close();
      }
    });

    it('runs with synchronous=NORMAL when asked', async () => {
      const store = SqliteEventStore.open(file, { synchronous: 'NORMAL' });
      try {
        expect(store.settings().synchronous).toBe('NORMAL');
      } finally {
        await store.close();
      }
    });

    it('reports a file that is not a database as unavailable, naming it', () => {
      const garbage = join(dir, 'garbage.db');
      writeFileSync(
        garbage,
        'this is not a database, just text that is long enough to have a header'.repeat(20),
      );
      expect(() => SqliteEventStore.open(garbage)).toThrow(StoreUnavailableError);
      expect(() => SqliteEventStore.open(garbage)).toThrow(garbage);
    });
  });

  describe('migrations', () => {
    it('numbers the migrations 1..n', () => {
      expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    });

    it('upgrades a file written at version 1 and keeps its events', async () => {
      const db = new Database(join(dir, 'v1.db'));
      migrate(db, MIGRATIONS.slice(0, 1));
      db.prepare(
        "INSERT INTO events (stream, revision, event_id, type, data, metadata) VALUES ('relation-AAA-BBB', 0, ?, 't', '{}', '{}')",
      ).run(randomUUID());
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      db.close();

      const store = SqliteEventStore.open(join(dir, 'v1.db'));
      try {
        expect(store.settings().schemaVersion).toBe(SCHEMA_VERSION);
        expect(await store.streamRevision('relation-AAA-BBB')).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('refuses a file written by a newer release', () => {
      const db = new Database(join(dir, 'future.db'));
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();

      expect(() => SqliteEventStore.open(join(dir, 'future.db'))).toThrow(/newer than this release knows/);
    });

    it('leaves the version where it was when a migration fails half-way', () => {
      const db = new Database(join(dir, 'broken.db'));
      const failing: Migration = {
        version: 2,
        description: 'fails after creating a table',
        up(target) {
          target.exec('CREATE TABLE half (x)');
          throw new Error('boom');
        },
      };
      expect(() => migrate(db, [MIGRATIONS[0] as Migration, failing])).toThrow('boom');
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
      db.close();
    });

    it('refuses a list of migrations with a gap', () => {
      const db = new Database(':memory:');
      expect(() => migrate(db, [{ version: 2, description: 'gap', up: () => undefined }])).toThrow(
        /without gaps/,
      );
      db.close();
    });
  });
});
