import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeedService } from '../../src/seed/seed.service';
import { startServer, TOKENS, type TestServer } from '../support/http';
import { ROOT } from '../support/http-process';
import { reportSkip } from '../support/skip-reason';

/**
 * The README's curl examples, run exactly as printed (with `BASE` and `TOKEN` set as the README
 * says) against a listening server seeded with the bundled record, in order.
 */

const run = promisify(execFile);
const SOURCES = [join(ROOT, 'README.md')];

function examples(): { source: string; blocks: string[] } | undefined {
  for (const source of SOURCES) {
    if (!existsSync(source)) continue;
    const text = readFileSync(source, 'utf8');
    const start = text.indexOf('### Examples');
    if (start < 0) continue;
    const end = text.indexOf('\n### ', start + 1);
    const section = text.slice(start, end < 0 ? undefined : end);
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    if (blocks.length > 0) return { source, blocks };
  }
  return undefined;
}

function hasCurl(): boolean {
  return spawnSync('curl', ['--version']).status === 0;
}

const found = examples();
const runnable = found !== undefined && hasCurl();
if (!runnable) {
  reportSkip(
    found === undefined
      ? 'README examples test skipped: no "### Examples" section with sh blocks in README.md'
      : 'README examples test skipped: curl is not installed',
  );
}

(runnable ? describe : describe.skip)('the README examples', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SEED: 'bundled' });
    await server.app.get(SeedService).seedIfEmpty();
  });
  afterAll(async () => {
    await server.close();
  });

  it('run as printed, in order, each answering what it says', async () => {
    const blocks = found!.blocks;
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const block of blocks) {
      // Asynchronously: the server answers from this very process.
      const { stdout: output } = await run('bash', ['-c', block], {
        env: { ...process.env, BASE: server.url, TOKEN: TOKENS.admin },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const expected = /# → (HTTP\/1\.1 \d{3}[^\n]*)/.exec(block)?.[1];
      if (expected !== undefined) {
        expect({ block, status: output.split('\r\n')[0] }).toEqual({ block, status: expected.trim() });
      } else {
        expect({ block, problem: output.includes('"/problems/') }).toEqual({ block, problem: false });
        expect(output.length).toBeGreaterThan(0);
      }
    }
  });
});
