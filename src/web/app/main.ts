/**
 * The page at `/`: pick a pair, explore its timeline, see the state on a date as known at a
 * moment, open an event, read the audit trail; new events arrive over Server-Sent Events.
 * Everything is built with DOM nodes (see dom.ts): stored text is never parsed as HTML.
 */
import './styles.css';
import { addMonths, dayFromNumber, dayNumber, intervalOf } from '../../../events/dates';
import {
  api,
  type AuditEntry,
  type Changes,
  type Country,
  type RelationSummary,
  type TimelineEvent,
  type Verification,
} from './api';
import { renderDetail } from './detail';
import { byId, fill, h } from './dom';
import { laneOf, typeLabel } from './labels';
import { renderState } from './state-view';
import { drawTimeline, isRetracted } from './timeline';

interface View {
  pair: string | null;
  countries: Country[];
  asOf: string;
  /** `null`: now, and live. */
  knownAt: string | null;
  /** Years shown on the axis; `null`: the record since its last long quiet spell, up to today. */
  fromYear: number | null;
  toYear: number | null;
  events: TimelineEvent[];
  index: { date: string; value: number }[];
  audit: AuditEntry[];
  /** Events that arrived while the view was pinned to an earlier moment. */
  unseen: number;
}

const today = (): string => new Date().toISOString().slice(0, 10);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const view: View = {
  pair: null,
  countries: [],
  asOf: today(),
  knownAt: null,
  fromYear: null,
  toYear: null,
  events: [],
  index: [],
  audit: [],
  unseen: 0,
};
let relations: RelationSummary[] = [];

const el = {
  pair: byId<HTMLSelectElement>('pair'),
  live: byId('live-status'),
  error: byId('error'),
  timeline: byId('timeline'),
  legend: byId('timeline-legend'),
  whole: byId<HTMLButtonElement>('view-whole'),
  viewFrom: byId<HTMLInputElement>('view-from'),
  viewTo: byId<HTMLInputElement>('view-to'),
  asOfDate: byId<HTMLInputElement>('as-of-date'),
  asOfRange: byId<HTMLInputElement>('as-of-range'),
  prev: byId<HTMLButtonElement>('prev-event'),
  next: byId<HTMLButtonElement>('next-event'),
  today: byId<HTMLButtonElement>('today'),
  knownAtMoment: byId<HTMLSelectElement>('known-at-moment'),
  knownAt: byId<HTMLInputElement>('known-at'),
  knownAtApply: byId<HTMLButtonElement>('known-at-apply'),
  knownAtNow: byId<HTMLButtonElement>('known-at-now'),
  knownAtProblem: byId('known-at-problem'),
  state: byId('state'),
  changesSection: byId('changes-section'),
  changes: byId('changes'),
  filter: byId<HTMLInputElement>('event-filter'),
  list: byId<HTMLOListElement>('event-list'),
  audit: byId<HTMLTableElement>('audit'),
  verify: byId('audit-verify'),
  dialog: byId<HTMLDialogElement>('detail'),
  detailHeading: byId('detail-heading'),
  detailBody: byId('detail-body'),
  detailClose: byId<HTMLButtonElement>('detail-close'),
};

// The browser tests wait for `data-busy="0"`: every fetch cycle is counted.
let busy = 0;
let debouncing = false;
function publishBusy(): void {
  document.body.dataset.busy = String(busy + (debouncing ? 1 : 0));
}
async function track<T>(work: Promise<T>): Promise<T> {
  busy++;
  publishBusy();
  try {
    return await work;
  } finally {
    busy--;
    publishBusy();
  }
}

function showError(error: unknown): void {
  el.error.hidden = false;
  el.error.textContent = `Could not load: ${error instanceof Error ? error.message : String(error)}`;
}
function clearError(): void {
  el.error.hidden = true;
  el.error.textContent = '';
}

const nameOf = (code: string): string => view.countries.find((c) => c.code === code)?.name ?? code;

// ---- the URL keeps the view shareable -------------------------------------------------------

function readHash(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const asOf = params.get('asOf');
  if (asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf)) view.asOf = asOf;
  const knownAt = params.get('knownAt');
  if (knownAt && INSTANT.test(knownAt)) view.knownAt = knownAt;
  view.pair = params.get('pair');
}

function writeHash(): void {
  const params = new URLSearchParams();
  if (view.pair) params.set('pair', view.pair);
  params.set('asOf', view.asOf);
  if (view.knownAt) params.set('knownAt', view.knownAt);
  history.replaceState(null, '', `#${params.toString()}`);
}

// ---- the time axis --------------------------------------------------------------------------

/** Starts and ends of every event, ascending. */
function intervals(): { start: string; end: string }[] {
  return view.events.map((e) => intervalOf(e.date, e.dateEnd)).sort((a, b) => a.start.localeCompare(b.start));
}

/** The first year of the record, and of the record since its last quiet spell of more than five years. */
function recordYears(): { first: number; focus: number; last: number } {
  const spans = intervals();
  const first = spans[0];
  const now = Number(today().slice(0, 4));
  if (!first) return { first: now - 10, focus: now - 10, last: now };
  let focus = first.start;
  for (let i = 1; i < spans.length; i++) {
    const previous = spans[i - 1] as { end: string };
    const current = spans[i] as { start: string };
    if (dayNumber(current.start) - dayNumber(previous.end) > 5 * 365) focus = current.start;
  }
  const lastEnd = spans.reduce((max, s) => (s.end > max ? s.end : max), today());
  return {
    first: Number(first.start.slice(0, 4)),
    focus: Number(focus.slice(0, 4)),
    last: Number(lastEnd.slice(0, 4)),
  };
}

/** The days on the axis: the years chosen, else the focused record up to today. */
function domain(): { from: string; to: string } {
  const years = recordYears();
  const fromYear = view.fromYear ?? years.focus;
  const year = (y: number): string => String(y).padStart(4, '0');
  const to = view.toYear === null ? today() : `${year(Math.max(view.toYear, fromYear))}-12-31`;
  return { from: `${year(fromYear)}-01-01`, to };
}

function renderTimeline(): void {
  const { from, to } = domain();
  // On a narrow screen the chart keeps a readable scale and scrolls sideways inside its panel.
  const width = Math.max(640, el.timeline.clientWidth || 640);
  const svg = drawTimeline({
    events: view.events,
    index: view.index,
    from,
    to,
    asOf: view.asOf,
    width,
    countries: view.countries,
    onOpen: (id) => void openEvent(id),
    onPick: (day) => setAsOf(day, true),
  });
  fill(el.timeline, svg);
  el.asOfRange.min = String(dayNumber(from));
  el.asOfRange.max = String(dayNumber(to));
  el.asOfRange.value = String(dayNumber(view.asOf));
  el.asOfRange.setAttribute('aria-valuetext', view.asOf);
  const years = recordYears();
  const outside = view.events.filter((e) => {
    const interval = intervalOf(e.date, e.dateEnd);
    return interval.end < from || interval.start > to;
  }).length;
  for (const input of [el.viewFrom, el.viewTo]) {
    input.min = String(years.first);
    input.max = String(Math.max(years.last, Number(today().slice(0, 4))));
  }
  el.viewFrom.value = from.slice(0, 4);
  el.viewTo.value = to.slice(0, 4);
  el.whole.textContent = outside > 0 ? `Whole record (${outside} more)` : 'Whole record';
  el.whole.disabled = from.slice(0, 4) === String(years.first) && outside === 0;
  const [a, b] = view.countries;
  fill(
    el.legend,
    h('span', { class: 'key c-a' }, a ? `${a.name} acts` : ''),
    ' ',
    h('span', { class: 'key c-b' }, b ? `${b.name} acts` : ''),
    ' ',
    h('span', { class: 'key band-key' }, 'month or year precision'),
    ' ',
    h('span', { class: 'key retracted-key' }, 'retracted'),
  );
}

// ---- the event list -------------------------------------------------------------------------

function renderList(): void {
  const words = el.filter.value.trim().toLowerCase();
  const shown = view.events.filter(
    (e) =>
      !words ||
      [e.summary, e.type, typeLabel(e.type), nameOf(e.actor), e.date].some((t) =>
        t.toLowerCase().includes(words),
      ),
  );
  fill(
    el.list,
    ...shown.map((event) => {
      const retracted = isRetracted(event);
      const corrected = (event.correctedBy?.length ?? 0) > 0;
      const summary = retracted
        ? h('s', { class: 'summary' }, event.summary)
        : h('span', { class: 'summary' }, event.summary);
      const button = h(
        'button',
        { type: 'button', class: 'event-button', 'data-event-id': event.id },
        h('span', { class: 'date' }, event.date, event.dateEnd ? `–${event.dateEnd}` : ''),
        h(
          'span',
          { class: `who c-${view.countries[0]?.code === event.actor ? 'a' : 'b'}` },
          nameOf(event.actor),
        ),
        h('span', { class: 'kind' }, typeLabel(event.type)),
        summary,
        retracted ? h('span', { class: 'badge bad' }, 'retracted') : null,
        corrected ? h('span', { class: 'badge warn' }, 'corrected') : null,
      );
      button.addEventListener('click', () => void openEvent(event.id));
      return h('li', { class: `lane-${laneOf(event.type).id}` }, button);
    }),
  );
  if (shown.length === 0) el.list.appendChild(h('li', { class: 'quiet' }, 'No event matches.'));
}

// ---- audit ----------------------------------------------------------------------------------

function renderAudit(verification: Verification): void {
  const body = el.audit.tBodies[0] as HTMLTableSectionElement;
  fill(
    body,
    ...view.audit.map((entry) =>
      h(
        'tr',
        {
          class: view.knownAt && entry.recordedAt > view.knownAt ? 'later' : '',
          'data-revision': entry.revision,
        },
        h('td', {}, entry.revision),
        h('td', {}, h('time', { datetime: entry.recordedAt }, entry.recordedAt)),
        h('td', {}, entry.recordedBy),
        h('td', {}, typeLabel(entry.type)),
        h('td', {}, entry.date),
        h(
          'td',
          {},
          h('code', { title: `${entry.hash} (previous ${entry.prevHash})` }, entry.hash.slice(0, 12)),
        ),
      ),
    ),
  );
  el.verify.className = `badge ${verification.valid ? 'good' : 'bad'}`;
  el.verify.textContent = verification.valid
    ? `Chain verified: ${verification.checked} events checked`
    : `Chain broken at revision ${verification.firstInvalidRevision}: ${verification.reason}`;

  // One choice per moment the record changed: a batch (such as the seed) shares one instant.
  const moments = new Map<string, AuditEntry[]>();
  for (const entry of view.audit)
    moments.set(entry.recordedAt, [...(moments.get(entry.recordedAt) ?? []), entry]);
  const selected = view.knownAt ?? '';
  fill(
    el.knownAtMoment,
    h('option', { value: '' }, 'Now (live)'),
    ...[...moments]
      .slice(-200)
      .reverse()
      .map(([recordedAt, entries]) => {
        const last = entries[entries.length - 1] as AuditEntry;
        const what =
          entries.length === 1
            ? `revision ${last.revision}: ${typeLabel(last.type)}`
            : `revisions ${(entries[0] as AuditEntry).revision}–${last.revision} (${entries.length} events)`;
        return h(
          'option',
          { value: recordedAt, selected: recordedAt === selected },
          `${recordedAt} — after ${what}`,
        );
      }),
  );
  if (selected && el.knownAtMoment.value !== selected) {
    el.knownAtMoment.appendChild(h('option', { value: selected, selected: true }, selected));
  }
}

// ---- state and changes ----------------------------------------------------------------------

let stateRequest = 0;
async function loadState(): Promise<void> {
  const pair = view.pair;
  if (!pair) return;
  const ticket = ++stateRequest;
  const knownAt = view.knownAt ?? undefined;
  const [state, changes] = await Promise.all([
    api.state(pair, view.asOf, knownAt),
    knownAt ? api.changes(pair, view.asOf, knownAt).catch(() => null) : Promise.resolve(null),
  ]);
  if (ticket !== stateRequest) return;
  fill(
    el.state,
    renderState(state, view.countries, (id) => void openEvent(id)),
  );
  el.changesSection.hidden = changes === null;
  if (changes) renderChanges(changes);
}

/** What the record learnt about `asOf` between the pinned moment and now. */
function renderChanges(changes: Changes): void {
  const before = changes.since.state.index.value;
  const after = changes.until.state.index.value;
  const count = changes.events.length;
  fill(
    el.changes,
    h(
      'p',
      {},
      `Between ${changes.since.knownAt} and ${changes.until.knownAt}, `,
      h('strong', {}, `${count} event${count === 1 ? '' : 's'}`),
      ` recorded bear on ${changes.asOf}`,
      before === after ? '; the tension index stayed at ' : '; the tension index went from ',
      before === after ? before.toFixed(2) : `${before.toFixed(2)} to ${after.toFixed(2)}`,
      '.',
    ),
    h(
      'ul',
      { class: 'named changes-list' },
      ...changes.events.map((event) => {
        const button = h('button', { type: 'button', class: 'link' }, event.summary);
        button.addEventListener('click', () => void openEvent(event.id));
        return h(
          'li',
          { 'data-event-id': event.id },
          `${event.recordedAt} by ${event.recordedBy} · ${typeLabel(event.type)} (${event.effect}): `,
          button,
        );
      }),
    ),
  );
}

// ---- loading a pair -------------------------------------------------------------------------

/** The dates at which the index can change: where events become certain, and where rulings age out. */
function indexDates(events: readonly TimelineEvent[], from: string): string[] {
  const dates = new Set<string>([from, today()]);
  for (const event of events) {
    const { start, end } = intervalOf(event.date, event.dateEnd);
    dates.add(end);
    if (event.type === 'court-ruling') dates.add(addMonths(start, 60));
  }
  return [...dates].filter((d) => d >= from && d <= today()).sort();
}

async function loadIndex(
  pair: string,
  knownAt: string | undefined,
): Promise<{ date: string; value: number }[]> {
  const first = view.events.map((e) => intervalOf(e.date, e.dateEnd).start).sort()[0];
  if (!first) return [];
  const from = `${first.slice(0, 4)}-01-01`;
  const dates = indexDates(view.events, from);
  const series =
    dates.length <= 300
      ? await api.indexAt(pair, dates, knownAt)
      : await api.indexSeries(
          pair,
          from,
          today(),
          (dayNumber(today()) - dayNumber(from)) / 30 > 999 ? 'quarter' : 'month',
          knownAt,
        );
  return series.snapshots.map((s) => ({ date: s.date, value: s.state.index.value }));
}

let pairRequest = 0;
async function loadPair(): Promise<void> {
  const pair = view.pair;
  if (!pair) return;
  const ticket = ++pairRequest;
  const knownAt = view.knownAt ?? undefined;
  const [events, audit, verification, listing] = await Promise.all([
    api.timeline(pair, knownAt),
    api.audit(pair),
    api.verify(pair),
    api.relations(),
  ]);
  if (ticket !== pairRequest) return;
  fillPairs(listing.relations);
  view.events = events;
  view.audit = audit;
  view.index = await loadIndex(pair, knownAt);
  if (ticket !== pairRequest) return;
  renderTimeline();
  renderList();
  renderAudit(verification);
  await loadState();
  clearError();
}

async function reload(): Promise<void> {
  writeHash();
  await track(loadPair()).catch(showError);
}

// ---- the controls ---------------------------------------------------------------------------

let stateTimer: number | undefined;
function setAsOf(day: string, immediate = false): void {
  view.asOf = day;
  el.asOfDate.value = day;
  el.asOfRange.value = String(dayNumber(day));
  el.asOfRange.setAttribute('aria-valuetext', day);
  writeHash();
  renderTimeline();
  window.clearTimeout(stateTimer);
  debouncing = false;
  const run = (): void => void track(loadState()).catch(showError);
  if (immediate) run();
  else {
    // The slider fires on every step: ask for the state once it rests.
    debouncing = true;
    publishBusy();
    stateTimer = window.setTimeout(() => {
      debouncing = false;
      run();
    }, 150);
  }
}

function stepToEvent(direction: 1 | -1): void {
  const ends = [...new Set(view.events.map((e) => intervalOf(e.date, e.dateEnd).end))].sort();
  const target =
    direction > 0 ? ends.find((d) => d > view.asOf) : [...ends].reverse().find((d) => d < view.asOf);
  if (target) setAsOf(target, true);
}

function setKnownAt(instant: string | null): void {
  view.knownAt = instant;
  view.unseen = 0;
  el.knownAt.value = instant ?? '';
  el.knownAtProblem.hidden = true;
  updateLiveStatus();
  void reload();
}

function applyKnownAtInput(): void {
  const value = el.knownAt.value.trim();
  if (value === '' || value.toLowerCase() === 'now') return setKnownAt(null);
  if (!INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    el.knownAtProblem.hidden = false;
    el.knownAtProblem.textContent =
      'Give an instant with its zone, such as 2026-11-28T10:00:00Z, or leave it empty for now.';
    return;
  }
  setKnownAt(value);
}

async function openEvent(id: string): Promise<void> {
  const pair = view.pair;
  if (!pair) return;
  const opener =
    document.activeElement instanceof HTMLElement || document.activeElement instanceof SVGElement
      ? document.activeElement
      : null;
  try {
    const eventView = await track(api.event(pair, id, view.knownAt ?? undefined));
    el.dialog.dataset.eventId = id;
    await track(
      renderDetail(
        el.detailBody,
        el.detailHeading,
        pair,
        eventView,
        nameOf,
        (other) => void openEvent(other),
      ),
    );
    if (!el.dialog.open) {
      el.dialog.showModal();
      el.dialog.addEventListener('close', () => opener?.focus(), { once: true });
    }
    el.detailClose.focus();
  } catch (error) {
    showError(error);
  }
}

// ---- live updates ---------------------------------------------------------------------------

let source: EventSource | null = null;
let liveConnected = false;
let reloadTimer: number | undefined;
let lastArrival = '';

function updateLiveStatus(): void {
  const state = liveConnected ? 'Live: connected' : 'Live: reconnecting…';
  const pinned = view.knownAt
    ? ` — showing the record as known at ${view.knownAt}${view.unseen ? `; ${view.unseen} new event${view.unseen === 1 ? '' : 's'} since` : ''}`
    : '';
  el.live.textContent = `${state}${lastArrival ? `. Latest: ${lastArrival}` : ''}${pinned}`;
  el.live.dataset.connected = String(liveConnected);
}

function onLiveMessage(message: MessageEvent<string>): void {
  let event: { id?: string; summary?: string } = {};
  try {
    event = JSON.parse(message.data) as { id?: string; summary?: string };
  } catch {
    // A message without JSON still means the record changed.
  }
  // A fresh connection replays what is already on the page: only new events count.
  if (event.id !== undefined && view.audit.some((entry) => entry.id === event.id)) return;
  lastArrival = event.summary ?? 'a new event';
  if (view.knownAt) view.unseen++;
  updateLiveStatus();
  if (view.knownAt) return;
  window.clearTimeout(reloadTimer);
  reloadTimer = window.setTimeout(() => void reload(), 200);
}

function connectLive(): void {
  source?.close();
  liveConnected = false;
  if (!view.pair || typeof EventSource === 'undefined') return;
  source = new EventSource(`./api/live?pair=${encodeURIComponent(view.pair)}`);
  source.addEventListener('open', () => {
    liveConnected = true;
    updateLiveStatus();
  });
  source.addEventListener('error', () => {
    liveConnected = false;
    updateLiveStatus();
  });
  source.addEventListener('message', onLiveMessage);
  for (const name of ['appended', 'event', 'event-appended']) source.addEventListener(name, onLiveMessage);
  window.addEventListener('pagehide', () => source?.close(), { once: true });
}

// ---- start ----------------------------------------------------------------------------------

function choosePair(pair: string): void {
  const summary = relations.find((r) => r.pair === pair) ?? relations[0];
  if (!summary) return;
  view.pair = summary.pair;
  view.countries = summary.countries;
  el.pair.value = summary.pair;
  source?.close();
  // Connect once the page holds the record, so the replay of a fresh connection is recognised.
  void reload().then(connectLive);
}

/** The pair picker, kept up to date as pairs appear and grow. */
function fillPairs(list: RelationSummary[]): void {
  relations = list;
  fill(
    el.pair,
    ...list.map((r) =>
      h(
        'option',
        { value: r.pair, selected: r.pair === view.pair },
        `${r.countries.map((c) => c.name).join(' – ')} (${r.pair}, ${r.eventCount} events)`,
      ),
    ),
  );
}

async function start(): Promise<void> {
  readHash();
  el.asOfDate.value = view.asOf;
  el.knownAt.value = view.knownAt ?? '';
  fillPairs((await api.relations()).relations);
  if (relations.length === 0) {
    fill(el.state, h('p', {}, 'The record is empty: append a first event through the API.'));
    return;
  }
  choosePair(view.pair ?? (relations[0] as RelationSummary).pair);
}

el.pair.addEventListener('change', () => choosePair(el.pair.value));
el.asOfDate.addEventListener('change', () => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(el.asOfDate.value)) setAsOf(el.asOfDate.value, true);
});
el.asOfRange.addEventListener('input', () => setAsOf(dayFromNumber(Number(el.asOfRange.value))));
el.prev.addEventListener('click', () => stepToEvent(-1));
el.next.addEventListener('click', () => stepToEvent(1));
el.today.addEventListener('click', () => setAsOf(today(), true));
el.whole.addEventListener('click', () => {
  view.fromYear = recordYears().first;
  view.toYear = null;
  renderTimeline();
});
for (const [input, key] of [
  [el.viewFrom, 'fromYear'],
  [el.viewTo, 'toYear'],
] as const) {
  input.addEventListener('change', () => {
    const year = Number(input.value);
    view[key] = Number.isInteger(year) && year > 0 && year < 10000 ? year : null;
    renderTimeline();
  });
}
el.knownAtMoment.addEventListener('change', () => setKnownAt(el.knownAtMoment.value || null));
el.knownAtApply.addEventListener('click', applyKnownAtInput);
el.knownAt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') applyKnownAtInput();
});
el.knownAtNow.addEventListener('click', () => setKnownAt(null));
el.filter.addEventListener('input', renderList);
el.detailClose.addEventListener('click', () => el.dialog.close());
el.dialog.addEventListener('click', (e) => {
  if (e.target === el.dialog) el.dialog.close();
});
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(renderTimeline, 100);
});

publishBusy();
void track(start()).catch(showError);
