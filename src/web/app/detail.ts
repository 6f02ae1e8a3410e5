/**
 * An event's detail: summary, dates and precision, phase, sources as links, who recorded it and
 * when, and the corrections and retraction that changed how it is read.
 */
import { intervalOf } from '../../../events/dates';
import { api, type EventView, type RecordedEvent, type Source } from './api';
import { type Child, h, sourceLink } from './dom';
import { precisionWords, typeLabel, words } from './labels';

/** Names of the pair's countries, by code. */
export type NameOf = (code: string) => string;

function row(term: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, ...value)];
}

function datesText(event: RecordedEvent): string {
  const interval = intervalOf(event.date, event.dateEnd);
  const span = interval.start === interval.end ? '' : ` (${interval.start} to ${interval.end})`;
  const end = event.dateEnd ? ` to ${event.dateEnd}` : '';
  return `${event.date}${end}, ${precisionWords(event.date)} precision${span}`;
}

const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function dataValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(dataValue).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function sourcesList(sources: readonly Source[]): HTMLElement {
  if (sources.length === 0) return h('p', { class: 'quiet' }, 'No sources (a correction or retraction).');
  return h(
    'ul',
    { class: 'sources' },
    ...sources.map((source) =>
      h(
        'li',
        {},
        sourceLink(source.url, source.title ?? source.url ?? source.publisher),
        source.title || source.url ? ` — ${source.publisher}` : '',
        source.publishedOn ? `, ${source.publishedOn}` : '',
        source.quote ? h('blockquote', {}, source.quote) : null,
      ),
    ),
  );
}

function eventBody(event: RecordedEvent, nameOf: NameOf): HTMLElement {
  const data = event.data as Record<string, unknown>;
  const phase = typeof data.phase === 'string' ? data.phase : 'phase' in data ? String(data.phase) : null;
  const dataRows = Object.entries(data).filter(([key]) => key !== 'phase' && key !== 'changes');
  return h(
    'div',
    {},
    h('p', { class: 'summary' }, event.summary),
    h(
      'dl',
      { class: 'facts' },
      ...row('Type', typeLabel(event.type), ' ', h('code', {}, event.type)),
      ...row('Date', datesText(event)),
      ...row('Actor', `${nameOf(event.actor)} (${event.actor})`),
      ...(phase !== null ? row('Phase', words(phase)) : []),
      ...dataRows.flatMap(([key, value]) => row(sentence(words(key)), dataValue(value))),
      ...('changes' in data ? row('Changes', dataValue(data.changes)) : []),
      ...(event.note ? row('Note', event.note) : []),
      ...row('Recorded', `by ${event.recordedBy} at ${event.recordedAt}, revision ${event.revision}`),
      ...row('Hash', h('code', { class: 'hash' }, event.hash)),
    ),
    h('h3', {}, 'Sources'),
    sourcesList(event.sources),
  );
}

/** Fills the dialog body with one event, then its corrections and retraction (fetched). */
export async function renderDetail(
  body: HTMLElement,
  heading: HTMLElement,
  pair: string,
  view: EventView,
  nameOf: NameOf,
  openEvent: (id: string) => void,
): Promise<void> {
  const shown = view.effective ?? view.recorded;
  heading.textContent = typeLabel(shown.type);
  body.replaceChildren();
  if (view.effective === null) {
    body.appendChild(
      h('p', { class: 'badge bad retracted-note' }, 'Retracted: projections ignore this event.'),
    );
  }
  body.appendChild(eventBody(shown, nameOf));

  if (view.effective !== null && view.correctedBy.length > 0) {
    body.appendChild(h('h3', {}, 'As first recorded'));
    body.appendChild(
      h(
        'p',
        { class: 'as-recorded' },
        `${view.recorded.date}: `,
        h('span', { class: 'summary' }, view.recorded.summary),
      ),
    );
  }

  const related = [...view.correctedBy, ...(view.retractedBy ? [view.retractedBy] : [])];
  if (related.length === 0) return;
  body.appendChild(h('h3', {}, view.retractedBy ? 'Corrections and retraction' : 'Corrections'));
  const list = h('ol', { class: 'corrections' });
  body.appendChild(list);
  for (const id of related) {
    const item = h('li', {}, 'Loading…');
    list.appendChild(item);
    try {
      const other = (await api.event(pair, id)).recorded;
      const data = other.data as Record<string, unknown>;
      const open = h('button', { type: 'button', class: 'link' }, 'open');
      open.addEventListener('click', () => openEvent(id));
      item.replaceChildren(
        h('strong', {}, other.type === 'event-retracted' ? 'Retracted' : 'Corrected'),
        ` at ${other.recordedAt} by ${other.recordedBy}`,
        typeof data.reason === 'string' ? `: ${data.reason}` : '',
        data.changes
          ? h('span', { class: 'changes' }, ` — changed ${Object.keys(data.changes).join(', ')}`)
          : '',
        ' ',
        open,
      );
    } catch (error) {
      item.textContent = `Could not load ${id}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
