import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, talksEvent } from '../support/http';
import { ROOT, runCli } from '../support/http-process';

const DATASET = join(ROOT, 'events', 'datasets', 'jpn-kor.ndjson');

describe('the relations CLI', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relations-cli-'));
    env = {
      EVENT_STORE: `sqlite:${join(dir, 'relations.db')}`,
      SEED: 'none',
      API_TOKENS: '',
      LOG_LEVEL: 'warn',
    };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the bundled dataset once, however often it is run', () => {
    const lines = readFileSync(DATASET, 'utf8').trim().split('\n').length;
    const first = runCli(['import', DATASET], env);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`JPN-KOR\tstored ${lines}\talready present 0\trevision ${lines - 1}`);
    const second = runCli(['import', DATASET], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`JPN-KOR\tstored 0\talready present ${lines}\trevision ${lines - 1}`);
    const verify = runCli(['verify'], env);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain(`JPN-KOR\tvalid\t${lines} events`);
  }, 120_000);

  it('gives a line without id the same id on every run, so a re-run stores nothing twice', () => {
    const file = join(dir, 'no-ids.ndjson');
    const line = (n: number) =>
      JSON.stringify({
        pair: 'kor-jpn',
        type: 'talks-held',
        date: '2019-12-16',
        actor: 'JPN',
        summary: `Talks round ${n}`,
        data: { level: 'working' },
        sources: [{ publisher: 'MOFA' }],
      });
    writeFileSync(file, `${line(1)}\n${line(2)}\n`);
    expect(runCli(['import', file], env).stdout).toContain('JPN-KOR\tstored 2\talready present 0');
    writeFileSync(file, `${line(1)}\n${line(2)}\n${line(3)}\n`);
    expect(runCli(['import', file], env).stdout).toContain('JPN-KOR\tstored 1\talready present 2');
  }, 120_000);

  it('refuses an id already used in another pair, naming it', () => {
    const id = '5d1e7c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6';
    const line = (pair: string, actor: string) =>
      JSON.stringify({
        pair,
        id,
        type: 'other-development',
        date: '2020',
        actor,
        summary: 'A development',
        data: { category: 'note' },
        sources: [{ publisher: 'Wire' }],
      });
    writeFileSync(join(dir, 'a.ndjson'), `${line('JPN-KOR', 'JPN')}\n`);
    writeFileSync(join(dir, 'b.ndjson'), `${line('CHN-USA', 'USA')}\n`);
    expect(runCli(['import', join(dir, 'a.ndjson')], env).status).toBe(0);
    const second = runCli(['import', join(dir, 'b.ndjson')], env);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`Event id ${id} is already used in another relation`);
  }, 120_000);

  it('reports every bad line by number and stores nothing', () => {
    const file = join(dir, 'bad.ndjson');
    const good = readFileSync(DATASET, 'utf8').split('\n')[0];
    writeFileSync(
      file,
      `${good}\nnot json\n${good?.replace('"date":"1965-06-22"', '"date":"1965-02-30"')}\n\n{"pair":"JPN-JPN"}\n`,
    );
    const result = runCli(['import', file], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.ndjson:2: /);
    expect(result.stderr).toMatch(/bad\.ndjson:3: date/);
    expect(result.stderr).toMatch(/bad\.ndjson:5: /);
    expect(result.stderr).not.toMatch(/bad\.ndjson:1: /);
    expect(result.stderr).toContain('3 bad line(s); nothing was stored');
    expect(runCli(['verify'], env).stdout).toContain('no relations recorded');
  }, 120_000);

  it('validates only with --dry-run', () => {
    const result = runCli(['import', DATASET, '--dry-run'], env);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/dry run: \d+ valid events in 1 pair\(s\), nothing stored/);
    expect(runCli(['verify'], env).stdout).toContain('no relations recorded');
  }, 120_000);

  it('exports NDJSON that re-imports into a new store to the same state, and CSV', () => {
    expect(runCli(['import', DATASET], env).status).toBe(0);
    const exported = runCli(['export', 'kor-jpn'], env);
    expect(exported.status).toBe(0);
    const file = join(dir, 'export.ndjson');
    writeFileSync(file, exported.stdout);
    const otherEnv = { ...env, EVENT_STORE: `sqlite:${join(dir, 'other.db')}` };
    expect(runCli(['import', file], otherEnv).status).toBe(0);
    const stateArgs = ['state', 'JPN-KOR', '--as-of', '2019-09-30', '--known-at', '2100-01-01T00:00:00Z'];
    const original = JSON.parse(runCli(stateArgs, env).stdout) as Record<string, unknown>;
    const copy = JSON.parse(runCli(stateArgs, otherEnv).stdout) as Record<string, unknown>;
    expect(copy).toEqual(original);
    expect(
      (original.measures as { JPN: { preferentialList: { status: string } } }).JPN.preferentialList.status,
    ).toBe('removed');
    const csv = runCli(['export', 'JPN-KOR', '--format', 'csv'], env);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'revision,id,type,date,dateEnd,actor,summary,data,sources,note,recordedAt,recordedBy,hash',
    );
    expect(csv.stdout).toContain(`,cli:`);
  }, 120_000);

  it('exits 1 from verify naming the revision of an edited row', () => {
    expect(runCli(['import', DATASET], env).status).toBe(0);
    const db = new Database(join(dir, 'relations.db'));
    db.prepare(
      "UPDATE events SET metadata = json_set(metadata, '$.recordedBy', 'mallory') WHERE revision = 3",
    ).run();
    db.close();
    const result = runCli(['verify', 'JPN-KOR'], env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('JPN-KOR\tINVALID at revision 3');
  }, 120_000);

  it('fails with a clear message for an unknown pair or a pair without events', () => {
    const bad = runCli(['state', 'JPN-XYZ'], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Not a valid country pair');
    const missing = runCli(['export', 'CHN-USA'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No events are recorded for CHN-USA');
  }, 120_000);

  it('creates a token, prints it once and keeps only its hash in a 0600 file', () => {
    const result = runCli(['tokens', 'create', 'newsroom', 'recorder'], env);
    expect(result.status).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^rel_[A-Za-z0-9_-]{40,}$/);
    const file = join(dir, 'tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(content).toContain('"newsroom"');
    expect(content).not.toContain(token);
    const again = runCli(['tokens', 'create', 'newsroom', 'reader'], env);
    expect(again.status).toBe(1);
    expect(runCli(['tokens', 'create', 'x', 'boss'], env).status).not.toBe(0);
  }, 120_000);

  it('creates a token the running server accepts without a restart', async () => {
    const server = await startServer();
    try {
      const created = runCli(['tokens', 'create', 'desk', 'recorder'], {
        ...env,
        EVENT_STORE: `sqlite:${join(server.dir, 'relations.db')}`,
      });
      expect(created.status).toBe(0);
      const token = created.stdout.trim();
      const response = await server
        .http()
        .post('/api/relations/JPN-KOR/events')
        .set('Authorization', `Bearer ${token}`)
        .send(talksEvent(1));
      expect(response.status).toBe(201);
      const audit = await server.http().get('/api/relations/JPN-KOR/audit').expect(200);
      expect(audit.body.entries[0].recordedBy).toBe('desk');
    } finally {
      await server.close();
    }
  }, 120_000);

  it('refuses bad configuration with exit code 78', () => {
    const result = runCli(['verify'], { ...env, EVENT_STORE: 'nowhere', READ_ACCESS: 'all' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('EVENT_STORE');
    expect(result.stderr).toContain('READ_ACCESS');
  }, 60_000);
});
