/**
 * The web page in Chromium, against the real server on a temporary SQLite store seeded with the
 * bundled Japan–Korea record. Each step of the page's purpose is performed as a reader would, and
 * a screenshot of each is kept under test-output/screenshots/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureBuild, SERVER_ENTRY } from '../support/build';
import { freePort, ROOT } from '../support/http-process';
import { reportSkip } from '../support/skip-reason';

// The callbacks given to page.evaluate run in the page; the Node test has no DOM types, so the
// little of the page's globals they touch is declared here.
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  documentElement: { scrollWidth: number };
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const window: { injected?: boolean; notReloaded?: boolean };

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const TOKEN = 'secret-token';
const PAIR = 'JPN-KOR';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  reportSkip(`Browser tests skipped: ${CHROMIUM} is absent (install Debian's chromium package).`);
}
const describeInChromium = haveChromium ? describe : describe.skip;

/**
 * One HTTP exchange on its own connection: a kept-alive socket of the global fetch would hold the
 * test process open after the server is gone.
 */
function exchange(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface TimelineEntry {
  id: string;
  type: string;
  date: string;
  dateEnd?: string;
  actor: string;
  summary: string;
  data: Record<string, unknown>;
  sources: { publisher: string; url?: string }[];
  recordedAt: string;
}

describeInChromium('the web page at /', () => {
  let dir: string;
  let server: ChildProcess;
  let serverLog = '';
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  async function api<T>(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; body: T }> {
    const { status, body } = await exchange(`${base}${path}`, init);
    return { status, body: body as T };
  }

  async function append(
    event: object,
  ): Promise<{ revision: number; events: { id: string; recordedAt: string }[] }> {
    const { status, body } = await api<{ revision: number; events: { id: string; recordedAt: string }[] }>(
      `/api/relations/${PAIR}/events`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(event),
      },
    );
    expect(status).toBe(201);
    return body;
  }

  async function timeline(): Promise<TimelineEntry[]> {
    return (await api<{ events: TimelineEntry[] }>(`/api/relations/${PAIR}/events`)).body.events;
  }

  /** The page counts its requests in flight on `body[data-busy]`. */
  async function settled(): Promise<void> {
    await page.waitForFunction(() => document.body.dataset.busy === '0');
  }

  async function shot(name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  beforeAll(async () => {
    ensureBuild();
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'relations-browser-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        EVENT_STORE: `sqlite:${join(dir, 'relations.db')}`,
        SEED: 'bundled',
        API_TOKENS: `tester:admin:${TOKEN}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));

    for (let attempt = 0; ; attempt++) {
      if (server.exitCode !== null) throw new Error(`the server stopped:\n${serverLog}`);
      const ready = await exchange(`${base}/api/relations`)
        .then((r) => r.status === 200 && (r.body as { relations: unknown[] }).relations.length > 0)
        .catch(() => false);
      if (ready) break;
      if (attempt > 300) throw new Error(`the server did not answer in 30 s:\n${serverLog}`);
      await sleep(100);
    }

    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && !LOCAL_HOSTS.has(url.hostname)) foreignRequests.push(request.url());
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Fail a step with Playwright's own message well before Jest's 30 s limit.
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  }, 240_000);

  afterAll(async () => {
    // The page first, so its live connection closes before the server goes away.
    await context?.close();
    if (server && server.exitCode === null) {
      let timer: NodeJS.Timeout | undefined;
      const stopped = new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        timer = setTimeout(() => {
          server.kill('SIGKILL');
          resolve();
        }, 5000);
      });
      server.kill('SIGTERM');
      await stopped;
      clearTimeout(timer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the bundled record with country names, its timeline, a verified audit chain and labelled controls', async () => {
    const stored = await timeline();
    const series: string[] = [];
    const onRequest = (request: { url(): string }): void => {
      if (new URL(request.url()).pathname.endsWith('/snapshots')) series.push(request.url());
    };
    page.on('request', onRequest);
    await page.goto(`${base}/`);
    await settled();
    page.off('request', onRequest);
    // The index line asks for the index alone at each date, not whole states.
    expect(series.length).toBeGreaterThan(0);
    for (const url of series) expect(new URL(url).searchParams.get('fields')).toBe('index');

    await expect(page.locator('#pair option:checked').textContent()).resolves.toMatch(/Japan – South Korea/);
    await expect(page.locator('#event-list .event-button').count()).resolves.toBe(stored.length);
    // Marks of events before the focused years are left out of the chart, never invented.
    const marks = await page.locator('#timeline .ev').count();
    expect(marks).toBeGreaterThan(30);
    expect(marks).toBeLessThanOrEqual(stored.length);
    await expect(page.locator('#timeline .index-line').count()).resolves.toBe(1);
    // Month- and year-precision events (or spans) are bands, day-precision ones dots.
    const fromYear = await page.locator('#view-from').inputValue();
    const imprecise = stored.filter(
      (e) => (e.date.length < 10 || e.dateEnd !== undefined) && (e.dateEnd ?? e.date).slice(0, 4) >= fromYear,
    );
    expect(imprecise.length).toBeGreaterThan(0);
    await expect(page.locator('#timeline .ev .band').count()).resolves.toBe(imprecise.length);
    await expect(page.locator('#timeline .ev .dot').count()).resolves.toBe(marks - imprecise.length);
    await expect(page.locator('#audit tbody tr').count()).resolves.toBe(stored.length);
    await expect(page.locator('#audit-verify').textContent()).resolves.toBe(
      `Chain verified: ${stored.length} events checked`,
    );
    // Every control can be named by a screen reader: a <label> or an aria-label.
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll('input, select, button')]
        .filter((e) => (e.labels?.length ?? 0) === 0 && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map((e) => e.id || e.outerHTML.slice(0, 60))`,
    );
    expect(unlabelled).toEqual([]);
    await shot('01-loaded');
  });

  it('lists what is pending and what is uncertain on a date', async () => {
    const stored = await timeline();
    // Before 28 August 2019, Japan's announced and decided removals of Korea wait for the effective one.
    const waiting = stored.filter(
      (e) =>
        e.type === 'preferential-list-removed' &&
        e.actor === 'JPN' &&
        e.data.phase !== undefined &&
        e.data.phase !== 'effective' &&
        e.date <= '2019-08-20',
    );
    expect(waiting.length).toBeGreaterThan(0);
    await page.fill('#as-of-date', '2019-08-20');
    await settled();
    for (const event of waiting) {
      await expect(page.locator(`#state ul.pending li[data-event-id="${event.id}"]`).count()).resolves.toBe(
        1,
      );
    }

    // A month-precision event is uncertain on a day inside its month.
    const monthly = stored.find((e) => e.date.length === 7 && e.dateEnd === undefined && e.date >= '2016');
    if (!monthly) throw new Error('the bundled record has no month-precision event since 2016');
    await page.fill('#as-of-date', `${monthly.date}-15`);
    await settled();
    await expect(page.locator(`#state ul.uncertain li[data-event-id="${monthly.id}"]`).count()).resolves.toBe(
      1,
    );
  });

  it("shows Korea removed from Japan's list and GSOMIA's termination notified on 2019-09-30", async () => {
    await page.fill('#as-of-date', '2019-09-30');
    await settled();
    await expect(page.locator('#state-as-of').textContent()).resolves.toBe('2019-09-30');

    const japansList = page.locator('[data-country="JPN"] .list-status');
    await expect(japansList.getAttribute('data-list-status')).resolves.toBe('removed');
    await expect(japansList.textContent()).resolves.toMatch(
      /South Korea removed from Japan's .* since 2019-08-28/,
    );
    const gsomia = page.locator('[data-agreement="gsomia"]');
    await expect(gsomia.locator('.badge').getAttribute('data-status')).resolves.toBe('termination-notified');
    // The effective removal of 28 August settled the announced and decided steps before it.
    await expect(page.locator('#state ul.pending li[data-event-id]').count()).resolves.toBe(0);
    await expect(gsomia.textContent()).resolves.toMatch(
      /GSOMIA termination notified since 2019-08-23; terminates on 2019-11-23/,
    );

    // The slider moves the date a day at a time from the keyboard.
    await page.focus('#as-of-range');
    await page.keyboard.press('ArrowRight');
    await settled();
    await expect(page.locator('#state-as-of').textContent()).resolves.toBe('2019-10-01');
    await page.keyboard.press('ArrowLeft');
    await settled();
    await expect(page.locator('#state-as-of').textContent()).resolves.toBe('2019-09-30');
    await expect(page.locator('#as-of-date').inputValue()).resolves.toBe('2019-09-30');
    await shot('02-as-of-2019-09-30');
    await shot('readme-1280', false);
  });

  it('opens an event from the timeline with Enter and shows its sources as links', async () => {
    const removal = (await timeline()).find(
      (e) => e.type === 'preferential-list-removed' && e.actor === 'JPN' && e.date === '2019-08-28',
    );
    if (!removal) throw new Error('the bundled record lacks Japan’s list removal of 2019-08-28');
    const firstSource = removal.sources.find((s) => s.url !== undefined);

    await page.focus(`#timeline .ev[data-event-id="${removal.id}"]`);
    await page.keyboard.press('Enter');
    await settled();
    const dialog = page.locator('#detail');
    await expect(dialog.isVisible()).resolves.toBe(true);
    await expect(dialog.locator('.summary').first().textContent()).resolves.toBe(removal.summary);
    await expect(dialog.textContent()).resolves.toContain('2019-08-28, day precision');
    const link = dialog.locator(`a[href="${firstSource?.url ?? ''}"]`);
    await expect(link.count()).resolves.toBe(1);
    await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer');
    await shot('03-event-detail', false);

    await page.keyboard.press('Escape');
    await expect(dialog.isVisible()).resolves.toBe(false);
  });

  it('shows the earlier value when "as known at" is set to before a correction', async () => {
    const notice = (await timeline()).find(
      (e) =>
        e.type === 'agreement-termination-notified' &&
        e.data.phase === 'effective' &&
        e.date === '2019-08-23',
    );
    if (!notice) throw new Error('the bundled record lacks the GSOMIA termination notice of 2019-08-23');
    expect(notice.data.terminatesOn).toBe('2019-11-23');
    const audit = (await api<{ entries: { recordedAt: string }[] }>(`/api/relations/${PAIR}/audit`)).body
      .entries;
    const lastRecorded = audit[audit.length - 1]?.recordedAt ?? '';
    // A known gap on the server's clock: every event before it was recorded at or before `before`.
    await sleep(20);
    const before = new Date().toISOString();
    expect(before > lastRecorded).toBe(true);
    await sleep(20);
    const corrected =
      'South Korea gives notice ending GSOMIA, which would lapse at midnight on 22 November 2019.';
    const { events } = await append({
      type: 'event-corrected',
      summary: 'Give the last day of GSOMIA rather than the day after',
      data: {
        eventId: notice.id,
        changes: { summary: corrected, data: { terminatesOn: '2019-11-22' } },
        reason: 'The notice ends the pact at midnight on 22 November.',
      },
    });
    expect((events[0]?.recordedAt ?? '') > before).toBe(true);

    // Now: the corrected reading, arrived live.
    const listed = page.locator(`#event-list .event-button[data-event-id="${notice.id}"] .summary`);
    await page.waitForFunction(
      ([id, text]) =>
        document.querySelector(`#event-list .event-button[data-event-id="${id}"] .summary`)?.textContent ===
        text,
      [notice.id, corrected] as const,
    );
    await settled();
    const gsomia = page.locator('[data-agreement="gsomia"]');
    await expect(gsomia.textContent()).resolves.toContain('terminates on 2019-11-22');

    // As known before the correction: the earlier reading, and what changed since.
    await page.fill('#known-at', before);
    await page.press('#known-at', 'Enter');
    await settled();
    await expect(listed.textContent()).resolves.toBe(notice.summary);
    await expect(gsomia.textContent()).resolves.toContain('terminates on 2019-11-23');
    await expect(page.locator('#changes-section').isVisible()).resolves.toBe(true);
    await expect(page.locator(`#changes li[data-event-id="${events[0]?.id ?? ''}"]`).count()).resolves.toBe(
      1,
    );
    await expect(page.locator(`#audit tbody tr.later`).count()).resolves.toBe(1);
    await shot('04-known-before-correction');

    await page.click('#known-at-now');
    await settled();
    await expect(listed.textContent()).resolves.toBe(corrected);
    await expect(gsomia.textContent()).resolves.toContain('terminates on 2019-11-22');
  });

  it('shows an appended event live without a reload, with a <script> in its summary kept as text', async () => {
    await page.evaluate(() => (window.notReloaded = true));
    const summary =
      'Director-general talks in Tokyo <script>window.injected = true</script> end without agreement';
    const { events } = await append({
      type: 'talks-held',
      date: '2019-10-02',
      actor: 'JPN',
      summary,
      data: { level: 'director-general', format: 'in-person', forum: 'export-control dialogue' },
      sources: [{ publisher: 'Test wire', url: 'https://example.org/talks' }],
    });
    const id = events[0]?.id ?? '';

    await page.waitForSelector(`#event-list .event-button[data-event-id="${id}"]`);
    await settled();
    await expect(
      page.locator(`#event-list .event-button[data-event-id="${id}"] .summary`).textContent(),
    ).resolves.toBe(summary);
    await expect(page.locator('#event-list script').count()).resolves.toBe(0);
    await expect(page.locator(`#timeline .ev[data-event-id="${id}"]`).count()).resolves.toBe(1);
    await expect(page.evaluate(() => window.injected)).resolves.toBeUndefined();
    await expect(page.evaluate(() => window.notReloaded)).resolves.toBe(true);
    await expect(page.locator('#live-status').textContent()).resolves.toContain(summary);
    await shot('05-appended-live');
  });

  it('strikes a retracted event through on the timeline and in the list, and says so in its detail', async () => {
    const talks = (await timeline()).find((e) => e.summary.includes('<script>'));
    if (!talks) throw new Error('the event appended by the previous step is missing');
    await append({
      type: 'event-retracted',
      summary: 'Retract the test talks',
      data: { eventId: talks.id, reason: 'Recorded by the browser test only.' },
    });

    // A strike is a horizontal line: it has no height, so wait for it to exist, not to be "visible".
    await page.waitForSelector(`#timeline .ev.retracted[data-event-id="${talks.id}"] .strike`, {
      state: 'attached',
    });
    await settled();
    await expect(
      page.locator(`#event-list .event-button[data-event-id="${talks.id}"] s.summary`).count(),
    ).resolves.toBe(1);
    await page.click(`#event-list .event-button[data-event-id="${talks.id}"]`);
    await settled();
    await expect(page.locator('#detail .retracted-note').textContent()).resolves.toMatch(/^Retracted/);
    await expect(page.locator('#detail .corrections').textContent()).resolves.toContain(
      'Recorded by the browser test only.',
    );
    await shot('06-retracted', false);
    await page.click('#detail-close');
  });

  it('reads at 390 px wide without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await settled();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    // The chart keeps a readable scale and pans inside its own panel instead.
    const chart = await page.evaluate(() => {
      const panel = document.querySelector('#timeline') as unknown as {
        scrollWidth: number;
        clientWidth: number;
      };
      return { scrollWidth: panel.scrollWidth, clientWidth: panel.clientWidth };
    });
    expect(chart.clientWidth).toBeLessThanOrEqual(390);
    expect(chart.scrollWidth).toBeGreaterThan(chart.clientWidth);
    const state = await page.locator('#state').boundingBox();
    expect((state?.x ?? 0) + (state?.width ?? 1000)).toBeLessThanOrEqual(390);
    await shot('07-narrow-390');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no console error and asked no other host for anything', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
