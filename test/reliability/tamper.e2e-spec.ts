/**
 * Tamper evidence: a stored row edited directly in the SQLite file (behind the service's back) is
 * named by `GET …/audit/verify` and by the CLI's `verify <pair>`, which exits non-zero; pairs left
 * alone still verify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { validEvent } from './events';
import { jsonRequest } from './http-client';
import { verifyChain } from './pair-reads';
import { ensureBuild } from '../support/build';
import { API_TOKENS, runCli, ServerProcess, TOKENS } from './server-process';

const EDITED_SUMMARY_PAIR = 'JPN-KOR';
const EDITED_METADATA_PAIR = 'CHN-JPN';
const UNTOUCHED_PAIR = 'KOR-USA';
const EVENTS_PER_PAIR = 6;

/** Rewrites one JSON column of one stored row; the service is not running. */
function editRow(
  dbFile: string,
  pair: string,
  revision: number,
  column: 'data' | 'metadata',
  edit: (value: Record<string, unknown>) => void,
): void {
  const db = new Database(dbFile);
  try {
    const row = db
      .prepare(`SELECT ${column} AS value FROM events WHERE stream = ? AND revision = ?`)
      .get(`relation-${pair}`, revision) as { value: string } | undefined;
    if (row === undefined) throw new Error(`no row ${pair}@${revision}`);
    const value = JSON.parse(row.value) as Record<string, unknown>;
    edit(value);
    const changed = db
      .prepare(`UPDATE events SET ${column} = ? WHERE stream = ? AND revision = ?`)
      .run(JSON.stringify(value), `relation-${pair}`, revision);
    expect(changed.changes).toBe(1);
  } finally {
    db.close();
  }
}

describe('a stored row edited directly in SQLite', () => {
  let dir: string;
  let dbFile: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(join(tmpdir(), 'relations-tamper-'));
    dbFile = join(dir, 'relations.db');
    // Given three pairs of six events each, and the service stopped
    server = await ServerProcess.start({ dbFile });
    for (const pair of [EDITED_SUMMARY_PAIR, EDITED_METADATA_PAIR, UNTOUCHED_PAIR]) {
      for (let n = 0; n < EVENTS_PER_PAIR; n += 1) {
        const response = await jsonRequest(server.url, 'POST', `/api/relations/${pair}/events`, {
          token: TOKENS.recorder,
          body: validEvent(pair, n),
        });
        expect(response.status).toBe(201);
      }
    }
    expect(await verifyChain(server.url, EDITED_SUMMARY_PAIR)).toEqual({
      valid: true,
      checked: EVENTS_PER_PAIR,
    });
    await server.stop('SIGTERM');

    // When one summary and one recordedBy are changed in place
    editRow(dbFile, EDITED_SUMMARY_PAIR, 3, 'data', (data) => {
      expect(typeof data.summary).toBe('string');
      data.summary = 'A forged summary';
    });
    editRow(dbFile, EDITED_METADATA_PAIR, 1, 'metadata', (metadata) => {
      expect(metadata.recordedBy).toBe('alice');
      metadata.recordedBy = 'mallory';
    });
  }, 240_000);

  afterAll(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the CLI verify name the edited revision and exit non-zero', () => {
    const env = { EVENT_STORE: `sqlite:${dbFile}`, SEED: 'none', API_TOKENS };
    const summary = runCli(['verify', EDITED_SUMMARY_PAIR], env);
    expect(summary.status).not.toBe(0);
    expect(summary.stdout).toMatch(/JPN-KOR\s+INVALID at revision 3\b/);

    const metadata = runCli(['verify', 'jpn-chn'], env);
    expect(metadata.status).not.toBe(0);
    expect(metadata.stdout).toMatch(/CHN-JPN\s+INVALID at revision 1\b/);

    const untouched = runCli(['verify', UNTOUCHED_PAIR], env);
    expect({ status: untouched.status, stdout: untouched.stdout.trim() }).toEqual({
      status: 0,
      stdout: expect.stringMatching(/^KOR-USA\s+valid\s+6 events$/) as unknown,
    });

    const all = runCli(['verify'], env);
    expect(all.status).not.toBe(0);
    expect(all.stdout).toMatch(/INVALID at revision 3/);
    expect(all.stdout).toMatch(/INVALID at revision 1/);
  }, 120_000);

  it('makes GET …/audit/verify name the edited revision, and leaves the other chains valid', async () => {
    server = await ServerProcess.start({ dbFile });
    expect(await verifyChain(server.url, EDITED_SUMMARY_PAIR)).toMatchObject({
      valid: false,
      firstInvalidRevision: 3,
      reason: expect.any(String) as unknown,
    });
    expect(await verifyChain(server.url, EDITED_METADATA_PAIR)).toMatchObject({
      valid: false,
      firstInvalidRevision: 1,
    });
    expect(await verifyChain(server.url, UNTOUCHED_PAIR)).toEqual({ valid: true, checked: EVENTS_PER_PAIR });
  }, 120_000);
});
