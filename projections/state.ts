/**
 * The relation state as of a date, as known at an instant: `initialState` + `evolve`, with "as of"
 * and "known at" as a filter and an ordering in front of the same fold (domain.md, "State as of a
 * date"). The pieces are exported separately (`orderForFold`, `foldFrom`, `finishState`) so that a
 * cache can keep fold checkpoints in valid-time order and resume from them.
 */
import {
  assertNever,
  type CountryCode,
  type PairId,
  type RecordedEvent,
  type TalksFormat,
  type TalksLevel,
} from '../events/catalogue';
import { countriesOf } from '../events/countries';
import { endsOnOrAfter, startOf } from '../events/dates';
import {
  isReferenceType,
  knownEvents,
  resolveCorrections,
  type Resolution,
  type ResolvedEvent,
} from './corrections';
import type {
  Agreement,
  CountryMeasures,
  Dispute,
  ExportControlMeasure,
  ListedEvent,
  RelationState,
  SanctionsMeasure,
  TariffMeasure,
} from './state.types';
import { DEFAULT_LIST, eventInterval, phaseOf, stringList, subjectOf } from './subject';
import { sealEntry } from './entry-text';
import { tensionIndex } from './tension-index';
import type { Warning, WarningCode } from './warnings';

/** An effective event with its valid-time interval, ready to fold. */
export interface FoldItem {
  event: RecordedEvent;
  /** First day of the event's interval. */
  start: string;
  /** Last day of the event's interval (`dateEnd` included). */
  end: string;
}

/** What a state query asks. */
export interface StateQuery {
  pair: PairId;
  /** Valid time, `YYYY-MM-DD`. */
  asOf: string;
  /** Transaction time, an ISO 8601 instant. */
  knownAt: string;
}

const NO_IDS = Object.freeze([]) as unknown as string[];
const NO_TALKS: RelationState['talks'] = sealEntry({ count: 0, last: null });
const UNKNOWN_LIST: CountryMeasures['preferentialList'] = sealEntry({ status: 'unknown' });

function emptyMeasures(): CountryMeasures {
  return { exportControls: [], tariffs: [], sanctions: [], preferentialList: UNKNOWN_LIST };
}

/** `ids` with `id` added, as a new frozen list (lists of event ids are shared between states). */
function withId(ids: readonly string[], id: string): string[] {
  return Object.freeze([...ids, id]) as string[];
}

/** The state before any event: both countries with no measures, list status `unknown`. */
export function initialState(pair: PairId, asOf = '', knownAt = ''): RelationState {
  const measures: Record<CountryCode, CountryMeasures> = {};
  for (const country of countriesOf(pair)) measures[country] = emptyMeasures();
  const state: RelationState = {
    pair,
    asOf,
    knownAt,
    revision: -1,
    measures,
    agreements: [],
    disputes: [],
    rulings: [],
    talks: NO_TALKS,
    index: { version: 1, value: 0, components: {} },
    pending: [],
    uncertain: [],
    warnings: [],
  };
  state.index = tensionIndex(state, pair, asOf || '0001-01-01');
  return state;
}

function compareItems(a: FoldItem, b: FoldItem): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.end !== b.end) return a.end < b.end ? -1 : 1;
  return a.event.revision - b.event.revision;
}

/**
 * Chooses and orders the events to fold: the effective form of every event that is neither
 * retracted nor itself a correction/retraction, in order of (interval start, interval end,
 * revision). Which of them are certain depends on `asOf`; see {@link splitByAsOf}.
 */
export function orderForFold(resolved: Resolution | readonly ResolvedEvent[]): FoldItem[] {
  const events = 'events' in resolved ? resolved.events : resolved;
  const items: FoldItem[] = [];
  for (const entry of events) {
    const type = entry.recorded.type;
    if (entry.retractedBy !== null || type === 'event-corrected' || type === 'event-retracted') continue;
    const event = entry.effective;
    const { start, end } = eventInterval(event);
    items.push({ event, start, end });
  }
  return items.sort(compareItems);
}

/**
 * `items` (an {@link orderForFold} result) with `events` placed where `orderForFold` would put
 * them, for events recorded after all of `items`' and none of them a correction or retraction: a
 * reference names only events recorded before it, so such events change no earlier entry of the
 * resolution and only join the order. Also gives the first position that changed, the length of
 * the prefix the two orders share. `items` is not changed.
 */
export function insertForFold(
  items: readonly FoldItem[],
  events: readonly RecordedEvent[],
): { items: FoldItem[]; firstChanged: number } {
  const out = [...items];
  let firstChanged = out.length;
  for (const event of events) {
    if (isReferenceType(event.type)) {
      throw new Error(`insertForFold takes no corrections or retractions (${event.id})`);
    }
    const { start, end } = eventInterval(event);
    const item: FoldItem = { event, start, end };
    // The first item that sorts after the new one.
    let low = 0;
    let high = out.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareItems(out[mid]!, item) > 0) high = mid;
      else low = mid + 1;
    }
    out.splice(low, 0, item);
    if (low < firstChanged) firstChanged = low;
  }
  return { items: out, firstChanged };
}

const listedEvents = new WeakMap<RecordedEvent, ListedEvent>();

/** The entry `pending` and `uncertain` list for an event: made once per event, frozen and shared. */
export function listedEvent(event: RecordedEvent): ListedEvent {
  let listed = listedEvents.get(event);
  if (listed === undefined) {
    listed = sealEntry(makeListedEvent(event));
    listedEvents.set(event, listed);
  }
  return listed;
}

function makeListedEvent(event: RecordedEvent): ListedEvent {
  const listed: ListedEvent = {
    eventId: event.id,
    type: event.type,
    date: event.date,
    summary: event.summary,
    actor: event.actor,
  };
  if (event.dateEnd !== undefined) listed.dateEnd = event.dateEnd;
  if ('phase' in event.data && event.data.phase !== undefined) listed.phase = phaseOf(event);
  const subject = subjectOf(event);
  if (subject !== undefined) listed.subject = subject;
  return listed;
}

/**
 * Steps 3 and 5: the ordered items from `from` on certain by `asOf` (interval ends on or before
 * it) and the uncertain ones (interval starts on or before it and ends after it).
 */
export function splitByAsOf(
  items: readonly FoldItem[],
  asOf: string,
  from = 0,
): { certain: FoldItem[]; uncertain: FoldItem[] } {
  const certain: FoldItem[] = [];
  const uncertain: FoldItem[] = [];
  for (let i = from; i < items.length; i++) {
    const item = items[i]!;
    if (item.start > asOf) break;
    if (item.end <= asOf) certain.push(item);
    else uncertain.push(item);
  }
  return { certain, uncertain };
}

// ---- the fold -------------------------------------------------------------------------------

/**
 * The entries each event has made, by what each was made from: the entry it replaced, or for a
 * new entry a word saying which (a warning: its code and message). The fold makes an entry from
 * the event and the entry it replaces and nothing else, so the same event applied to the same
 * entry makes an equal entry: the one made before is taken instead. Answers from a cache fold the
 * same events onto the same checkpoints again and again; so they meet entries whose JSON is
 * already written (see `entry-text.ts`) instead of making and encoding equal ones each time.
 */
const madeEntries = new WeakMap<RecordedEvent, unknown[]>();

/** Most entries kept per event: more than one only when later events change what it applies to. */
const MADE_PER_EVENT = 4;

/** `draft` sealed, or the equal entry `event` already made from `from`. */
function sealFrom<T extends object>(event: RecordedEvent, from: unknown, draft: T): T {
  // What each entry was made from, then the entry, side by side: a few pairs, looked through.
  let made = madeEntries.get(event);
  if (made === undefined) {
    made = [];
    madeEntries.set(event, made);
  }
  for (let i = 0; i < made.length; i += 2) if (made[i] === from) return made[i + 1] as T;
  const entry = sealEntry(draft);
  if (made.length >= 2 * MADE_PER_EVENT) made.splice(0, 2);
  made.push(from, entry);
  return entry;
}

function warn(state: RelationState, code: WarningCode, event: RecordedEvent, message: string): void {
  state.warnings.push(
    sealFrom(event, `warning ${code} ${message}`, {
      code,
      message: `${event.type} ${event.id} (${event.date}): ${message}`,
      eventId: event.id,
    }),
  );
}

function measuresOf(state: RelationState, country: CountryCode): CountryMeasures {
  let measures = state.measures[country];
  if (measures === undefined) {
    measures = emptyMeasures();
    state.measures[country] = measures;
  }
  return measures;
}

function otherCountry(pair: PairId, country: CountryCode): CountryCode {
  const [a, b] = countriesOf(pair);
  return country === a ? b : a;
}

/** Removes pending steps that `event` (effective, starting on `start`) fulfils. */
function clearPending(state: RelationState, event: RecordedEvent, start: string, measureGone: boolean): void {
  if (state.pending.length === 0) return;
  const subject = subjectOf(event);
  if (subject === undefined) return;
  const fulfilled = (pending: ListedEvent): boolean =>
    pending.actor === event.actor &&
    pending.subject === subject &&
    startOf(pending.date) <= start &&
    (pending.type === event.type ||
      // An easing still pending when the whole measure is lifted has nothing left to ease.
      (measureGone && event.type === 'export-control-lifted' && pending.type === 'export-control-eased'));
  // Most effective events fulfil nothing: look before copying the list.
  if (state.pending.some(fulfilled)) state.pending = state.pending.filter((pending) => !fulfilled(pending));
}

/** Removes `names` from `present`; returns the names that were not there. */
function removeNames<T>(present: T[], nameOf: (entry: T) => string, names: readonly string[]): string[] {
  const missing: string[] = [];
  for (const name of names) {
    const index = present.findIndex((entry) => nameOf(entry) === name);
    if (index === -1) missing.push(name);
    else present.splice(index, 1);
  }
  return missing;
}

/**
 * Puts `draft` (a changed copy of a measure, agreement or dispute, made by `event` from `from`: the
 * entry it replaces, or a word for a new one) in place of entry `index` of `list`, or at its end
 * for -1, sealed: entries are replaced, never changed (see {@link copyState}).
 */
function place<T extends object>(
  list: T[],
  index: number,
  event: RecordedEvent,
  from: unknown,
  draft: T,
): void {
  const entry = sealFrom(event, from, draft);
  if (index === -1) list.push(entry);
  else list[index] = entry;
}

function applyExportControl(state: RelationState, event: RecordedEvent): boolean {
  if (
    event.type !== 'export-control-tightened' &&
    event.type !== 'export-control-eased' &&
    event.type !== 'export-control-lifted'
  ) {
    return false;
  }
  const measures = measuresOf(state, event.actor);
  const measureId = String(event.data.measureId);
  const index = measures.exportControls.findIndex((m) => m.measureId === measureId);
  const current = measures.exportControls[index];
  const items = stringList(event.data.items);
  if (event.type === 'export-control-tightened') {
    const draft: ExportControlMeasure =
      current === undefined
        ? { measureId, since: event.date, items: [], eventIds: NO_IDS }
        : { ...current, items: [...current.items] };
    if (typeof event.data.instrument === 'string') draft.instrument = event.data.instrument;
    draft.eventIds = withId(draft.eventIds, event.id);
    for (const name of items ?? []) {
      const at = draft.items.findIndex((i) => i.name === name);
      if (at === -1) draft.items.push(Object.freeze({ name, level: 'restricted', since: event.date }));
      else if (draft.items[at]!.level !== 'restricted') {
        draft.items[at] = Object.freeze({ name, level: 'restricted', since: event.date });
      }
    }
    Object.freeze(draft.items);
    place(measures.exportControls, index, event, current ?? 'export control', draft);
    return false;
  }
  if (current === undefined) {
    warn(state, 'not-in-state', event, `${event.actor} has no export-control measure ${measureId} to change`);
    return false;
  }
  const draft: ExportControlMeasure = {
    ...current,
    items: [...current.items],
    eventIds: withId(current.eventIds, event.id),
  };
  const names = items ?? draft.items.map((item) => item.name);
  if (event.type === 'export-control-eased') {
    const missing: string[] = [];
    for (const name of names) {
      const at = draft.items.findIndex((i) => i.name === name);
      if (at === -1) missing.push(name);
      else if (draft.items[at]!.level !== 'eased')
        draft.items[at] = Object.freeze({ name, level: 'eased', since: event.date });
    }
    if (missing.length > 0) {
      warn(state, 'not-in-state', event, `items not controlled under ${measureId}: ${missing.join(', ')}`);
    }
    Object.freeze(draft.items);
    place(measures.exportControls, index, event, current, draft);
    return false;
  }
  const missing = removeNames(draft.items, (item) => item.name, names);
  if (missing.length > 0) {
    warn(state, 'not-in-state', event, `items not controlled under ${measureId}: ${missing.join(', ')}`);
  }
  if (draft.items.length === 0) {
    measures.exportControls.splice(index, 1);
    return true;
  }
  Object.freeze(draft.items);
  place(measures.exportControls, index, event, current, draft);
  return false;
}

function applyTariffOrSanctions(state: RelationState, event: RecordedEvent): void {
  if (event.type === 'tariff-imposed' || event.type === 'tariff-lifted') {
    const tariffs = measuresOf(state, event.actor).tariffs;
    const measureId = String(event.data.measureId);
    const index = tariffs.findIndex((m) => m.measureId === measureId);
    const existing = tariffs[index];
    const products = stringList(event.data.products);
    if (event.type === 'tariff-imposed') {
      const rate = typeof event.data.rate === 'string' ? event.data.rate : undefined;
      if (existing === undefined) {
        place<TariffMeasure>(tariffs, -1, event, 'tariff', {
          measureId,
          products: Object.freeze(products ?? []) as string[],
          rate: rate ?? null,
          since: event.date,
          eventIds: withId(NO_IDS, event.id),
        });
      } else {
        const draft: TariffMeasure = { ...existing, eventIds: withId(existing.eventIds, event.id) };
        if (products !== undefined) draft.products = Object.freeze(products) as string[];
        if (rate !== undefined) draft.rate = rate;
        place(tariffs, index, event, existing, draft);
      }
      return;
    }
    if (existing === undefined) {
      warn(state, 'not-in-state', event, `${event.actor} has no tariff ${measureId} to lift`);
      return;
    }
    const remaining = [...existing.products];
    const missing = removeNames(remaining, (p) => p, products ?? [...existing.products]);
    if (missing.length > 0)
      warn(state, 'not-in-state', event, `products not under ${measureId}: ${missing.join(', ')}`);
    if (remaining.length === 0) tariffs.splice(index, 1);
    else {
      place(tariffs, index, event, existing, {
        ...existing,
        products: Object.freeze(remaining) as string[],
        eventIds: withId(existing.eventIds, event.id),
      });
    }
    return;
  }
  if (event.type !== 'sanctions-imposed' && event.type !== 'sanctions-lifted') return;
  const sanctions = measuresOf(state, event.actor).sanctions;
  const measureId = String(event.data.measureId);
  const index = sanctions.findIndex((m) => m.measureId === measureId);
  const existing = sanctions[index];
  const targets = stringList(event.data.targets);
  if (event.type === 'sanctions-imposed') {
    const kind = typeof event.data.kind === 'string' ? event.data.kind : undefined;
    if (existing === undefined) {
      place<SanctionsMeasure>(sanctions, -1, event, 'sanctions', {
        measureId,
        targets: Object.freeze(targets ?? []) as string[],
        kind: kind ?? null,
        since: event.date,
        eventIds: withId(NO_IDS, event.id),
      });
    } else {
      const draft: SanctionsMeasure = { ...existing, eventIds: withId(existing.eventIds, event.id) };
      if (targets !== undefined) draft.targets = Object.freeze(targets) as string[];
      if (kind !== undefined) draft.kind = kind;
      place(sanctions, index, event, existing, draft);
    }
    return;
  }
  if (existing === undefined) {
    warn(state, 'not-in-state', event, `${event.actor} has no sanctions ${measureId} to lift`);
    return;
  }
  const remaining = [...existing.targets];
  const missing = removeNames(remaining, (t) => t, targets ?? [...existing.targets]);
  if (missing.length > 0)
    warn(state, 'not-in-state', event, `targets not under ${measureId}: ${missing.join(', ')}`);
  if (remaining.length === 0) sanctions.splice(index, 1);
  else {
    place(sanctions, index, event, existing, {
      ...existing,
      targets: Object.freeze(remaining) as string[],
      eventIds: withId(existing.eventIds, event.id),
    });
  }
}

function agreementFor(state: RelationState, event: RecordedEvent, name: string | undefined) {
  const agreementId = String((event.data as { agreementId?: unknown }).agreementId);
  const index = state.agreements.findIndex((a) => a.agreementId === agreementId);
  if (index === -1) {
    const agreement: Agreement = {
      agreementId,
      name: name ?? agreementId,
      status: 'in-force',
      since: event.date,
      eventId: event.id,
      eventIds: NO_IDS,
    };
    if (event.type !== 'agreement-signed') {
      warn(
        state,
        'beginning-not-recorded',
        event,
        `no signature of agreement ${agreementId} is recorded before this`,
      );
    }
    return { agreement, index, created: true };
  }
  return { agreement: state.agreements[index]!, index, created: false };
}

function applyAgreement(state: RelationState, event: RecordedEvent): void {
  const name = 'name' in event.data && typeof event.data.name === 'string' ? event.data.name : undefined;
  const found = agreementFor(state, event, name);
  const { index, created } = found;
  // A changed copy, put in place of the entry at the end (entries are never changed).
  const agreement: Agreement = { ...found.agreement };
  const previous = agreement.status;
  switch (event.type) {
    case 'agreement-signed':
      if (!created && previous !== 'terminated') {
        warn(state, 'already-in-state', event, `agreement ${agreement.agreementId} is already ${previous}`);
      }
      agreement.status = 'in-force';
      break;
    case 'agreement-termination-notified':
      agreement.status = 'termination-notified';
      break;
    case 'agreement-termination-suspended':
      if (!created && previous !== 'termination-notified') {
        warn(
          state,
          'not-in-state',
          event,
          `agreement ${agreement.agreementId} has no termination notice to suspend (${previous})`,
        );
      }
      agreement.status = 'termination-suspended';
      break;
    case 'agreement-normalised':
      agreement.status = 'in-force';
      break;
    case 'agreement-terminated':
      agreement.status = 'terminated';
      break;
    default:
      if (created) place(state.agreements, -1, event, 'agreement', agreement);
      return;
  }
  if (name !== undefined) agreement.name = name;
  const terminatesOn =
    event.type === 'agreement-termination-notified' && typeof event.data.terminatesOn === 'string'
      ? event.data.terminatesOn
      : undefined;
  if (terminatesOn !== undefined) agreement.terminatesOn = terminatesOn;
  else delete agreement.terminatesOn;
  agreement.since = event.date;
  agreement.eventId = event.id;
  agreement.eventIds = withId(agreement.eventIds, event.id);
  place(state.agreements, index, event, created ? 'agreement' : found.agreement, agreement);
}

function applyDispute(state: RelationState, event: RecordedEvent): void {
  const disputeId = String((event.data as { disputeId?: unknown }).disputeId);
  const index = state.disputes.findIndex((d) => d.disputeId === disputeId);
  const created = index === -1;
  let dispute: Dispute;
  const from = created ? 'dispute' : state.disputes[index]!;
  if (created) {
    dispute = {
      disputeId,
      forum: 'WTO',
      complainant: event.actor,
      respondent: otherCountry(state.pair, event.actor),
      stage: 'consultations',
      suspended: false,
      since: event.date,
      eventIds: NO_IDS,
    };
    if (event.type !== 'wto-dispute-filed') {
      warn(
        state,
        'beginning-not-recorded',
        event,
        `no filing of dispute ${disputeId} is recorded before this`,
      );
    }
  } else {
    // A changed copy, put in place of the entry at the end (entries are never changed).
    dispute = { ...state.disputes[index]! };
  }
  dispute.eventIds = withId(dispute.eventIds, event.id);
  switch (event.type) {
    case 'wto-dispute-filed':
      if (!created) warn(state, 'already-in-state', event, `dispute ${disputeId} is already filed`);
      if (typeof event.data.title === 'string') dispute.title = event.data.title;
      break;
    case 'wto-dispute-stage-reached':
      dispute.stage = event.data.stage;
      dispute.since = event.date;
      break;
    case 'wto-dispute-suspended':
      if (dispute.suspended)
        warn(state, 'already-in-state', event, `dispute ${disputeId} is already suspended`);
      else dispute.suspendedSince = event.date;
      dispute.suspended = true;
      break;
    case 'wto-dispute-resumed':
      if (!dispute.suspended) warn(state, 'not-in-state', event, `dispute ${disputeId} is not suspended`);
      dispute.suspended = false;
      delete dispute.suspendedSince;
      break;
    case 'wto-dispute-withdrawn':
      dispute.stage = 'withdrawn';
      dispute.since = event.date;
      dispute.suspended = false;
      delete dispute.suspendedSince;
      break;
    default:
      break;
  }
  place(state.disputes, index, event, from, dispute);
}

function applyList(state: RelationState, event: RecordedEvent): void {
  if (event.type !== 'preferential-list-removed' && event.type !== 'preferential-list-restored') return;
  const measures = measuresOf(state, event.actor);
  const list = typeof event.data.list === 'string' ? event.data.list : DEFAULT_LIST;
  const current = measures.preferentialList.status;
  const status = event.type === 'preferential-list-removed' ? 'removed' : 'listed';
  if (status === 'removed' && current === 'removed') {
    warn(
      state,
      'already-in-state',
      event,
      `${otherCountry(state.pair, event.actor)} is already off ${event.actor}'s ${list}`,
    );
  }
  if (status === 'listed' && current !== 'removed') {
    warn(state, 'not-in-state', event, `no removal from ${event.actor}'s ${list} is recorded before this`);
  }
  measures.preferentialList = sealFrom(event, 'list status', {
    status,
    list,
    since: event.date,
    eventId: event.id,
  });
}

/**
 * Applies one effective event to `state` in place. Used by {@link foldFrom}, which owns the state
 * it mutates; {@link evolve} is the copying form. Never throws on a recorded fact: what does not
 * fit goes to `warnings`. `start` is the first day of the event's interval (for pending steps).
 */
export function applyEvent(state: RelationState, event: RecordedEvent, start = startOf(event.date)): void {
  const phase = phaseOf(event);
  if (phase !== 'effective') {
    state.pending.push(listedEvent(event));
    return;
  }
  let measureGone = false;
  switch (event.type) {
    case 'court-ruling': {
      const ruling: RelationState['rulings'][number] = {
        date: event.date,
        country: event.actor,
        court: String(event.data.court),
        holding: String(event.data.holding),
        eventId: event.id,
      };
      if (typeof event.data.caseId === 'string') ruling.caseId = event.data.caseId;
      state.rulings.push(sealFrom(event, 'ruling', ruling));
      break;
    }
    case 'export-control-tightened':
    case 'export-control-eased':
    case 'export-control-lifted':
      measureGone = applyExportControl(state, event);
      break;
    case 'tariff-imposed':
    case 'tariff-lifted':
    case 'sanctions-imposed':
    case 'sanctions-lifted':
      applyTariffOrSanctions(state, event);
      break;
    case 'preferential-list-removed':
    case 'preferential-list-restored':
      applyList(state, event);
      break;
    case 'agreement-signed':
    case 'agreement-termination-notified':
    case 'agreement-termination-suspended':
    case 'agreement-normalised':
    case 'agreement-terminated':
      applyAgreement(state, event);
      break;
    case 'wto-dispute-filed':
    case 'wto-dispute-stage-reached':
    case 'wto-dispute-suspended':
    case 'wto-dispute-resumed':
    case 'wto-dispute-withdrawn':
      applyDispute(state, event);
      break;
    case 'talks-held': {
      const last: NonNullable<RelationState['talks']['last']> = {
        date: event.date,
        level: event.data.level as TalksLevel,
        host: event.actor,
        eventId: event.id,
      };
      if (typeof event.data.format === 'string') last.format = event.data.format as TalksFormat;
      if (typeof event.data.forum === 'string') last.forum = event.data.forum;
      if (typeof event.data.outcome === 'string') last.outcome = event.data.outcome;
      state.talks = sealFrom(event, state.talks, { count: state.talks.count + 1, last: Object.freeze(last) });
      break;
    }
    case 'other-development':
    case 'event-corrected':
    case 'event-retracted':
      // Timeline only; corrections and retractions were applied before the fold.
      break;
    default:
      assertNever(event);
  }
  clearPending(state, event, start, measureGone);
}

/**
 * A copy of `state` that {@link applyEvent} can change without touching `state`: new lists, the
 * same entries. The fold keeps one rule that makes this safe: it changes in place only the lists
 * (measure lists, agreements, disputes, rulings, pending, uncertain, warnings) and the top-level
 * fields; every entry (a measure and its items, an agreement, a dispute, a ruling, a warning, a
 * listed event, `talks`, a preferential-list status) is replaced by a new one, never changed, and
 * frozen so that a mistake throws. So copies and checkpoints share their entries and a copy costs
 * only its lists.
 */
export function copyState(state: RelationState): RelationState {
  const measures: Record<CountryCode, CountryMeasures> = {};
  for (const country in state.measures) {
    const m = state.measures[country]!;
    measures[country] = {
      exportControls: [...m.exportControls],
      tariffs: [...m.tariffs],
      sanctions: [...m.sanctions],
      preferentialList: m.preferentialList,
    };
  }
  return {
    ...state,
    measures,
    agreements: [...state.agreements],
    disputes: [...state.disputes],
    rulings: [...state.rulings],
    pending: [...state.pending],
    uncertain: [...state.uncertain],
    warnings: [...state.warnings],
  };
}

/** The pure form of {@link applyEvent}: a new state, `state` untouched. */
export function evolve(state: RelationState, event: RecordedEvent): RelationState {
  const next = copyState(state);
  applyEvent(next, event);
  return next;
}

/**
 * Folds `items` (already in fold order) onto a copy of `state`: one copy, then in-place steps,
 * so a cached checkpoint can be resumed without being changed.
 */
export function foldFrom(state: RelationState, items: readonly FoldItem[]): RelationState {
  const next = copyState(state);
  for (const item of items) applyEvent(next, item.event, item.start);
  return next;
}

const terminationsPassed = new WeakMap<Agreement, Warning>();

/** The warning that `agreement`'s notified termination date has passed: one per agreement entry, sealed. */
function terminationPassed(agreement: Agreement): Warning {
  let warning = terminationsPassed.get(agreement);
  if (warning === undefined) {
    warning = sealEntry<Warning>({
      code: 'terminates-on-passed',
      message: `agreement ${agreement.agreementId} (${agreement.name}) was to terminate on ${agreement.terminatesOn}; no later event on it is recorded`,
      eventId: agreement.eventId,
    });
    terminationsPassed.set(agreement, warning);
  }
  return warning;
}

/** What {@link finishState} adds to a folded state. */
export interface FinishContext {
  asOf: string;
  knownAt: string;
  revision: number;
  uncertain: readonly FoldItem[];
  /**
   * Warnings that do not come from the fold (ignored corrections and retractions), put first. Give
   * them here when the fold started from a bare {@link initialState}; leave them out when they were
   * pushed into its `warnings` before folding, as `stateAt` and `snapshotsAt` do.
   */
  referenceWarnings?: readonly Warning[];
}

/**
 * Completes a folded state for `asOf`: the question's fields, `uncertain`, warnings that depend on
 * `asOf` (a notified termination date passed with no later event; "passed" means its last day is
 * before `asOf`), and the index. Takes ownership of `folded` and returns it.
 */
export function finishState(folded: RelationState, ctx: FinishContext): RelationState {
  folded.asOf = ctx.asOf;
  folded.knownAt = ctx.knownAt;
  folded.revision = ctx.revision;
  folded.uncertain = ctx.uncertain.map((item) => listedEvent(item.event));
  const warnings = ctx.referenceWarnings?.length
    ? [...ctx.referenceWarnings, ...folded.warnings]
    : folded.warnings;
  for (const agreement of folded.agreements) {
    if (
      agreement.status === 'termination-notified' &&
      agreement.terminatesOn !== undefined &&
      !endsOnOrAfter(agreement.terminatesOn, ctx.asOf)
    ) {
      warnings.push(terminationPassed(agreement));
    }
  }
  folded.warnings = warnings;
  folded.index = tensionIndex(folded, folded.pair, ctx.asOf);
  return folded;
}

/** The last revision among the known events, -1 when none. */
export function lastRevision(known: readonly RecordedEvent[]): number {
  return known.reduce((max, event) => Math.max(max, event.revision), -1);
}

/**
 * `state(pair, asOf, knownAt)`: events known at `knownAt`, corrections and retractions applied,
 * the certain ones by `asOf` folded in order of (interval start, interval end, revision), the
 * uncertain ones listed.
 */
export function stateAt(events: readonly RecordedEvent[], q: StateQuery): RelationState {
  const known = knownEvents(events, q.pair, q.knownAt);
  const resolution = resolveCorrections(known);
  const items = orderForFold(resolution);
  const folded = initialState(q.pair);
  folded.warnings.push(...resolution.warnings);
  const uncertain: FoldItem[] = [];
  for (const item of items) {
    if (item.start > q.asOf) break;
    if (item.end <= q.asOf) applyEvent(folded, item.event, item.start);
    else uncertain.push(item);
  }
  return finishState(folded, { asOf: q.asOf, knownAt: q.knownAt, revision: lastRevision(known), uncertain });
}
