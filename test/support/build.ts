/**
 * An up-to-date dist/ for the tests and programs that use what `npm run build` makes: the server
 * and the CLI run as child processes, and the web page, served at `/` and driven in Chromium. Each
 * part is rebuilt only when one of its sources is newer than its output. Jest runs test files in
 * parallel workers and several of them need the build, so a lock directory lets one worker build
 * while the others wait and then find it done.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './http-process';

export const SERVER_ENTRY = join(ROOT, 'dist', 'src', 'main.js');
export const CLI_ENTRY = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const PAGE_INDEX = join(ROOT, 'dist', 'web', 'index.html');

const SERVER_SOURCES = ['src', 'events', 'projections'];
const WEB_SOURCES = join(ROOT, 'src', 'web');
/** The folder in src/web that is not part of the page: the README's screenshot. */
const WEB_NOT_BUILT = 'docs';
const TEST_FILE = /\.(spec|int-spec|e2e-spec|browser-spec)\.ts$/;
/** What the server is built from, and what `nest build` makes of it (the datasets are copied). */
const SOURCE = ['.ts', '.ndjson'];
const BUILT = ['.js', '.ndjson'];

/** The newest modification time of the files under a folder that `keep` accepts (0 if none). */
function newest(dir: string, keep: (entry: Dirent) => boolean): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!keep(entry)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, keep) : statSync(path).mtimeMs);
  }
  return latest;
}

/** The server's files, source or built (these extensions), outside the page and the tests. */
const serverFiles =
  (extensions: string[]) =>
  (entry: Dirent): boolean =>
    entry.isDirectory()
      ? entry.name !== 'web' && entry.name !== 'node_modules'
      : extensions.some((extension) => entry.name.endsWith(extension)) && !TEST_FILE.test(entry.name);

/**
 * True when `dist/src/main.js` is missing or a source is newer than everything compiled (an
 * incremental build rewrites only the files that changed).
 */
function serverIsStale(): boolean {
  if (!existsSync(SERVER_ENTRY)) return true;
  const built = Math.max(...SERVER_SOURCES.map((dir) => newest(join(ROOT, 'dist', dir), serverFiles(BUILT))));
  return SERVER_SOURCES.some((dir) => newest(join(ROOT, dir), serverFiles(SOURCE)) > built);
}

function pageIsStale(): boolean {
  const built = existsSync(PAGE_INDEX) ? statSync(PAGE_INDEX).mtimeMs : 0;
  return built < newest(WEB_SOURCES, (entry) => !(entry.isDirectory() && entry.name === WEB_NOT_BUILT));
}

function run(args: string[]): { ok: boolean; output: string } {
  const done = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  return { ok: done.status === 0, output: `${done.stdout}\n${done.stderr}`.trim().slice(0, 4000) };
}

function buildWhatIsStale(): void {
  if (serverIsStale()) {
    const nest = run(['nest', 'build']);
    if (!existsSync(SERVER_ENTRY)) throw new Error(`npx nest build failed:\n${nest.output}`);
    // Type errors still emit JavaScript; the tests then run what was emitted and say so.
    if (!nest.ok)
      console.warn(`npx nest build reported errors; testing the JavaScript it emitted:\n${nest.output}`);
  }
  if (pageIsStale()) {
    const vite = run(['vite', 'build', '--config', 'src/web/vite.config.mts']);
    if (!vite.ok) throw new Error(`npx vite build failed:\n${vite.output}`);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds the server, the CLI and the page where they are missing or older than their sources. */
export function ensureBuild(): void {
  if (!serverIsStale() && !pageIsStale()) return;
  const lock = join(ROOT, 'dist', '.test-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 200_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest build is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 200_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error('Timed out waiting for another build of dist/');
      sleepSync(500);
    }
  }
  try {
    buildWhatIsStale();
  } finally {
    rmdirSync(lock);
  }
}
