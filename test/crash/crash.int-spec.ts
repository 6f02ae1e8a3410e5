/**
 * Crash safety of the SQLite store: a real child process appends in a loop and is killed with
 * SIGKILL at a random moment; the file, reopened, must hold every acknowledged event, no partial
 * batch, contiguous revisions and a valid hash chain — and must accept the next child's appends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyChain } from '../../projections/hash-chain';
import { storedForm } from '../../src/relations/event-codec';
import { SqliteEventStore } from '../../src/store/sqlite-event-store';

const ROOT = resolve(__dirname, '..', '..');
const ROUNDS = 4;

interface Ack {
  stream: string;
  batchId: string;
  size: number;
  ids: string[];
}

/** Runs one child until it has acknowledged some batches, then kills it at a random moment. */
function runAndKill(file: string): Promise<{ acks: Ack[]; signal: NodeJS.Signals | null }> {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'test/crash/register-ts.js'), join(ROOT, 'test/crash/append-child.ts'), file],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!killTimer && stdout.includes('\nack ')) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), 50 + Math.floor(Math.random() * 400));
    }
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (_code, signal) => {
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        fail(new Error(`the child ended by itself (${String(signal)}): ${stderr}`));
        return;
      }
      // Only complete lines were acknowledged; a line cut by the kill is not.
      const lines = stdout.split('\n').slice(0, -1);
      const acks = lines
        .filter((line) => line.startsWith('ack '))
        .map((line) => {
          const [, stream, batchId, size, ids] = line.split(' ');
          return {
            stream: stream as string,
            batchId: batchId as string,
            size: Number(size),
            ids: (ids as string).split(','),
          };
        });
      done({ acks, signal });
    });
  });
}

describe('SQLite store killed while appending', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged event, no partial batch and a valid chain over ${ROUNDS} SIGKILLs`, async () => {
    const file = join(dir, 'crash.db');
    const acknowledged: Ack[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const { acks, signal } = await runAndKill(file);
      expect(signal).toBe('SIGKILL');
      expect(acks.length).toBeGreaterThan(0);
      acknowledged.push(...acks);

      const store = SqliteEventStore.open(file);
      try {
        const streams = await store.listStreams('relation-');
        const storedIds = new Set<string>();
        for (const stream of streams) {
          const events = await store.readStream(stream);
          expect(verifyChain(events.map(storedForm))).toEqual({ valid: true, checked: events.length });
          const batches = new Map<string, { size: number; revisions: number[] }>();
          for (const event of events) {
            storedIds.add(event.id);
            const match = /^crash batch (\S+) event (\d+) of (\d+)$/.exec(String(event.data['summary']));
            expect(match).not.toBeNull();
            const [, batchId, , size] = match as RegExpExecArray;
            const batch = batches.get(batchId as string) ?? { size: Number(size), revisions: [] };
            batch.revisions.push(event.revision);
            batches.set(batchId as string, batch);
          }
          for (const [batchId, batch] of batches) {
            const first = batch.revisions[0] as number;
            expect({ batchId, revisions: batch.revisions }).toEqual({
              batchId,
              revisions: Array.from({ length: batch.size }, (_, i) => first + i),
            });
          }
        }
        const missing = acknowledged.flatMap((ack) => ack.ids).filter((id) => !storedIds.has(id));
        expect(missing).toEqual([]);
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
