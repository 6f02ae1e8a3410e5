/**
 * The state on a date, in plain words and badges: what each country restricts toward the other,
 * list statuses, agreements, disputes, rulings, talks, and what is pending or uncertain.
 */
import type { Country, CountryMeasures, NamedEvent, RelationState, StateWarning } from './api';
import { type Child, h } from './dom';
import { tone, typeLabel, words } from './labels';

/** A coloured status word. */
export function badge(status: string, text = words(status)): HTMLElement {
  return h('span', { class: `badge ${tone(status)}`, 'data-status': status }, text);
}

const since = (date: string | undefined): string => (date ? ` since ${date}` : '');

function measuresOf(
  state: RelationState,
  actor: Country,
  target: Country,
  openEvent: (id: string) => void,
): HTMLElement {
  const m: CountryMeasures | undefined = state.measures[actor.code];
  const section = h('section', {
    class: 'country',
    'data-country': actor.code,
    'aria-label': `${actor.name}'s measures`,
  });
  section.appendChild(h('h3', {}, `${actor.name} toward ${target.name}`));
  if (!m) {
    section.appendChild(h('p', { class: 'quiet' }, 'Nothing recorded.'));
    return section;
  }
  const list = m.preferentialList;
  const listText =
    list.status === 'removed'
      ? `${target.name} removed from ${actor.name}'s preferential list${since(list.since)}`
      : list.status === 'listed'
        ? `${target.name} on ${actor.name}'s preferential list${since(list.since)}`
        : `${target.name}'s place on ${actor.name}'s preferential list: not recorded`;
  section.appendChild(
    h(
      'p',
      { class: 'line list-status', 'data-list-status': list.status },
      badge(list.status),
      ' ',
      listText,
      list.list ? h('span', { class: 'list-name' }, ` (${list.list})`) : null,
    ),
  );

  const items: Child[] = [];
  for (const control of m.exportControls) {
    items.push(
      h(
        'li',
        { 'data-measure': control.measureId },
        h('strong', {}, 'Export controls'),
        ` (${control.measureId})${since(control.since)}: `,
        ...control.items.flatMap((item, i) => [
          i > 0 ? ', ' : '',
          h('span', { class: 'item' }, item.name, ' ', badge(item.level)),
        ]),
        eventLinks(control.eventIds, openEvent),
      ),
    );
  }
  for (const tariff of m.tariffs) {
    items.push(
      h(
        'li',
        { 'data-measure': tariff.measureId },
        h('strong', {}, 'Tariff'),
        ` (${tariff.measureId})${tariff.rate ? ` at ${tariff.rate}` : ''}${since(tariff.since)} on `,
        tariff.products.join(', '),
        eventLinks(tariff.eventIds, openEvent),
      ),
    );
  }
  for (const sanctions of m.sanctions) {
    items.push(
      h(
        'li',
        { 'data-measure': sanctions.measureId },
        h('strong', {}, 'Sanctions'),
        ` (${sanctions.measureId})${sanctions.kind ? `, ${sanctions.kind}` : ''}${since(sanctions.since)} on `,
        sanctions.targets.join(', '),
        eventLinks(sanctions.eventIds, openEvent),
      ),
    );
  }
  section.appendChild(
    items.length > 0
      ? h('ul', { class: 'measures' }, ...items)
      : h('p', { class: 'quiet' }, `No export controls, tariffs or sanctions toward ${target.name}.`),
  );
  return section;
}

function eventLinks(ids: readonly string[] | undefined, openEvent: (id: string) => void): Child {
  if (!ids || ids.length === 0) return null;
  const span = h('span', { class: 'event-links' }, ' — ');
  ids.forEach((id, i) => {
    const text = ids.length === 1 ? 'its event' : `event ${i + 1}`;
    const button = h('button', { type: 'button', class: 'link' }, text);
    button.addEventListener('click', () => openEvent(id));
    span.appendChild(button);
    if (i < ids.length - 1) span.appendChild(document.createTextNode(', '));
  });
  return span;
}

function namedEvents(
  entries: readonly NamedEvent[],
  openEvent: (id: string) => void,
  kind: string,
): HTMLElement {
  return h(
    'ul',
    { class: `named ${kind}` },
    ...entries.map((entry) => {
      const button = h('button', { type: 'button', class: 'link' }, entry.summary);
      button.addEventListener('click', () => openEvent(entry.eventId));
      return h(
        'li',
        { 'data-event-id': entry.eventId },
        `${entry.date} · ${typeLabel(entry.type)}`,
        ...(entry.phase ? [' ', badge(entry.phase)] : []),
        ': ',
        button,
      );
    }),
  );
}

function warningText(warning: StateWarning | string): string {
  if (typeof warning === 'string') return warning;
  return warning.message ?? warning.code ?? JSON.stringify(warning);
}

/** The whole state panel. */
export function renderState(
  state: RelationState,
  countries: readonly Country[],
  openEvent: (id: string) => void,
): HTMLElement {
  const [a, b] = countries;
  const nameOf = (code: string): string => countries.find((c) => c.code === code)?.name ?? code;
  const root = h('div', { class: 'state' });
  const known = state.knownAt ? ` as known at ${state.knownAt}` : '';
  const index = state.index;
  root.appendChild(
    h(
      'p',
      { class: 'lead' },
      'On ',
      h('strong', { id: 'state-as-of' }, state.asOf),
      known,
      ': tension index ',
      h(
        'strong',
        { class: `badge ${index.value < 0 ? 'bad' : 'good'}`, id: 'state-index' },
        index.value.toFixed(2),
      ),
      ` (${Object.entries(index.components)
        .map(([k, v]) => `${k === 'bilateral' ? 'bilateral' : nameOf(k)} ${v.toFixed(2)}`)
        .join(', ')}).`,
    ),
  );

  if (a && b) {
    root.appendChild(
      h(
        'div',
        { class: 'countries' },
        measuresOf(state, a, b, openEvent),
        measuresOf(state, b, a, openEvent),
      ),
    );
  }

  root.appendChild(h('h3', {}, 'Agreements'));
  root.appendChild(
    state.agreements.length === 0
      ? h('p', { class: 'quiet' }, 'None recorded by this date.')
      : h(
          'ul',
          { class: 'agreements' },
          ...state.agreements.map((agreement) =>
            h(
              'li',
              { 'data-agreement': agreement.agreementId },
              h('strong', {}, agreement.name),
              ' ',
              badge(agreement.status),
              since(agreement.since),
              agreement.terminatesOn ? `; terminates on ${agreement.terminatesOn}` : '',
            ),
          ),
        ),
  );

  root.appendChild(h('h3', {}, 'Disputes'));
  root.appendChild(
    state.disputes.length === 0
      ? h('p', { class: 'quiet' }, 'None recorded by this date.')
      : h(
          'ul',
          { class: 'disputes' },
          ...state.disputes.map((dispute) =>
            h(
              'li',
              { 'data-dispute': dispute.disputeId },
              h('strong', {}, `${dispute.forum} ${dispute.disputeId}`),
              ` (${nameOf(dispute.complainant)} v. ${nameOf(dispute.respondent)}) `,
              badge(dispute.stage),
              ...(dispute.suspended ? [' ', badge('suspended')] : []),
              since(dispute.since),
            ),
          ),
        ),
  );

  root.appendChild(h('h3', {}, 'Rulings'));
  root.appendChild(
    state.rulings.length === 0
      ? h('p', { class: 'quiet' }, 'None recorded by this date.')
      : h(
          'ul',
          { class: 'rulings' },
          ...state.rulings.map((ruling) => {
            const button = h('button', { type: 'button', class: 'link' }, ruling.court);
            button.addEventListener('click', () => openEvent(ruling.eventId));
            return h('li', {}, `${ruling.date}: `, button, ` — ${ruling.holding}`);
          }),
        ),
  );

  root.appendChild(h('h3', {}, 'Talks'));
  const last = state.talks.last;
  const lastText = last
    ? `; the last on ${String(last.date ?? '?')}${last.level ? ` at ${words(String(last.level))} level` : ''}` +
      `${last.format ? `, ${words(String(last.format))}` : ''}${last.forum ? ` (${String(last.forum)})` : ''}`
    : '';
  root.appendChild(
    h(
      'p',
      { class: 'talks' },
      `${state.talks.count} round${state.talks.count === 1 ? '' : 's'} of talks recorded${lastText}.`,
    ),
  );

  root.appendChild(h('h3', {}, 'Pending (announced or decided, not yet in effect)'));
  root.appendChild(
    state.pending.length > 0
      ? namedEvents(state.pending, openEvent, 'pending')
      : h('p', { class: 'quiet' }, 'Nothing pending on this date.'),
  );
  root.appendChild(h('h3', {}, 'Uncertain on this date (an imprecise date spans it)'));
  root.appendChild(
    state.uncertain.length > 0
      ? namedEvents(state.uncertain, openEvent, 'uncertain')
      : h('p', { class: 'quiet' }, 'Nothing uncertain on this date.'),
  );
  if (state.warnings.length > 0) {
    root.appendChild(h('h3', {}, 'Warnings'));
    root.appendChild(
      h('ul', { class: 'warnings' }, ...state.warnings.map((w) => h('li', {}, warningText(w)))),
    );
  }
  return root;
}
