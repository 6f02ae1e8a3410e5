/**
 * The benchmark's synthetic record: a deterministic stream of event envelopes over 1,000 pairs,
 * generated lazily so a million events never sit in memory at once. The same seed and size always
 * give the same lines, so every run (and every machine) measures the same work.
 */
import countries from 'i18n-iso-countries';
import { v4 as uuidFromBytes } from 'uuid';
import type { EventType, PairId, Source } from '../events/catalogue';
import { isCountryCode } from '../events/countries';
import { addDays, dayFromNumber, dayNumber } from '../events/dates';

/** One line of an importable NDJSON file: the client envelope plus its pair. */
export interface WorkloadEvent {
  id: string;
  pair: PairId;
  type: EventType;
  date: string;
  dateEnd?: string;
  actor: string;
  summary: string;
  data: Record<string, unknown>;
  sources: Source[];
  note?: string;
}

export interface WorkloadOptions {
  /** Total events (default 1,000,000). */
  events: number;
  /** Number of pairs (default 1,000). */
  pairs?: number;
  /** Events of the one large pair the read benchmarks query (default min(5,000, events / 4)). */
  hotPairEvents?: number;
  seed?: number;
}

/** The pair that receives {@link WorkloadOptions.hotPairEvents} events. */
export const HOT_PAIR: PairId = 'JPN-KOR';

/** Small, fast, seedable PRNG (mulberry32): the benchmark needs repeatability, not cryptography. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  uuid(): string {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const word = this.int(4294967296);
      bytes[i] = word & 0xff;
      bytes[i + 1] = (word >>> 8) & 0xff;
      bytes[i + 2] = (word >>> 16) & 0xff;
      bytes[i + 3] = (word >>> 24) & 0xff;
    }
    return uuidFromBytes({ random: bytes });
  }
}

/** The 1,000 (or `count`) pairs, {@link HOT_PAIR} first, chosen deterministically from real codes. */
export function workloadPairs(count: number, seed = 1): PairId[] {
  const codes = Object.keys(countries.getAlpha3Codes()).filter(isCountryCode).sort();
  const random = new Random(seed ^ 0x9e3779b9);
  const pairs = new Set<PairId>([HOT_PAIR]);
  const max = (codes.length * (codes.length - 1)) / 2;
  while (pairs.size < Math.min(count, max)) {
    const a = random.pick(codes);
    const b = random.pick(codes);
    if (a === b) continue;
    pairs.add(a < b ? `${a}-${b}` : `${b}-${a}`);
  }
  return [...pairs];
}

/** Weights of the development types (corrections and retractions are drawn separately). */
const TYPE_WEIGHTS: ReadonlyArray<readonly [EventType, number]> = [
  ['talks-held', 20],
  ['other-development', 15],
  ['court-ruling', 3],
  ['export-control-tightened', 8],
  ['export-control-eased', 4],
  ['export-control-lifted', 3],
  ['tariff-imposed', 8],
  ['tariff-lifted', 4],
  ['sanctions-imposed', 6],
  ['sanctions-lifted', 3],
  ['preferential-list-removed', 2],
  ['preferential-list-restored', 2],
  ['agreement-signed', 1],
  ['agreement-termination-notified', 1.5],
  ['agreement-termination-suspended', 0.5],
  ['agreement-normalised', 0.5],
  ['agreement-terminated', 0.5],
  ['wto-dispute-filed', 0.5],
  ['wto-dispute-stage-reached', 1],
  ['wto-dispute-suspended', 0.5],
  ['wto-dispute-resumed', 0.5],
  ['wto-dispute-withdrawn', 0.5],
];
const TOTAL_WEIGHT = TYPE_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

const WORDS = (
  'trade ministry export control semiconductor materials photoresist hydrogen fluoride tariff steel ' +
  'aluminium sanctions court ruling compensation wartime labour agreement security information ' +
  'dispute panel consultations talks delegation summit minister officials statement review license ' +
  'procedure customs inspection quota fisheries maritime boundary investment energy pipeline grain ' +
  'shipment embargo visa diplomats embassy protest negotiations framework cooperation memorandum'
).split(' ');
const PUBLISHERS = [
  'Kyodo News',
  'Yonhap',
  'Reuters',
  'Associated Press',
  'Agence France-Presse',
  'Ministry of Foreign Affairs',
  'Ministry of Economy, Trade and Industry',
  'World Trade Organization',
  'Official Gazette',
  'Xinhua',
];
const DAY_1950 = dayNumber('1950-01-01');
const DAY_2025 = dayNumber('2025-12-31');
const SPAN = DAY_2025 - DAY_1950;
const STAGES = ['panel-requested', 'panel-established', 'report-circulated', 'appealed', 'adopted'];
const LEVELS = ['leader', 'minister', 'vice-minister', 'director-general', 'working'];
const FORMATS = ['in-person', 'video', 'phone'];

/** What the generator remembers of one pair so that later events refer to earlier ones. */
interface PairMemory {
  pair: PairId;
  countries: [string, string];
  produced: number;
  expected: number;
  /** Recent events that may still be corrected or retracted (bounded). */
  targets: Array<{ id: string; type: EventType }>;
  /** Standing measures by `kind:actor`, oldest first. */
  measures: Map<string, string[]>;
  /** A measure announced or decided but not yet effective, by `kind:actor`. */
  announced: Map<string, string>;
  /** Actors that removed the other country from their preferential list. */
  listRemoved: Set<string>;
  agreements: string[];
  disputes: string[];
}

function words(random: Random, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(random.pick(WORDS));
  return out.join(' ');
}

function partialDate(random: Random, day: number): string {
  const full = dayFromNumber(day);
  const roll = random.next();
  if (roll < 0.1) return full.slice(0, 4);
  if (roll < 0.3) return full.slice(0, 7);
  return full;
}

function sources(random: Random, day: number): Source[] {
  const count = 1 + random.int(3);
  const out: Source[] = [];
  for (let i = 0; i < count; i++) {
    const publishedOn = dayFromNumber(Math.min(DAY_2025, day + random.int(30)));
    out.push({
      publisher: random.pick(PUBLISHERS),
      url: `https://news.example.org/${publishedOn.slice(0, 4)}/${random.int(1e9).toString(36)}`,
      title: words(random, 3 + random.int(4)),
      publishedOn,
    });
  }
  return out;
}

/**
 * Yields the synthetic record in append order: `events` lines over the pairs, the types in the
 * weights above, valid dates 1950–2025 in all three precisions, 10 % of the developments that
 * stand alone (talks, rulings, signings, filings) recorded late, dated up to decades back. With
 * the reduced-precision dates that start before events already recorded, 10 % of all events land
 * out of valid-time order at 200,000 events and 15 % at a million (test/bench), 2 % corrections
 * and 1 % retractions of earlier events of the same pair.
 */
export function* generateWorkload(options: WorkloadOptions): Generator<WorkloadEvent> {
  const total = options.events;
  const pairs = workloadPairs(options.pairs ?? 1000, options.seed ?? 1);
  const hotEvents = Math.min(options.hotPairEvents ?? 5000, Math.floor(total / 4));
  const random = new Random(options.seed ?? 1);
  const others = pairs.length - 1;
  const memories: PairMemory[] = pairs.map((pair, index) => ({
    pair,
    countries: pair.split('-') as [string, string],
    produced: 0,
    expected: index === 0 ? hotEvents : Math.max(1, (total - hotEvents) / Math.max(1, others)),
    targets: [],
    measures: new Map(),
    announced: new Map(),
    listRemoved: new Set(),
    agreements: [],
    disputes: [],
  }));
  const hot = memories[0]!;
  let hotRemaining = hotEvents;
  for (let n = 0; n < total; n++) {
    // The hot pair gets exactly `hotEvents`, spread evenly through the run.
    const remaining = total - n;
    const memory =
      others === 0 || random.next() * remaining < hotRemaining ? hot : memories[1 + random.int(others)]!;
    if (memory === hot) hotRemaining--;
    yield nextEvent(random, memory);
  }
}

/** Types that depend on no earlier event of the pair, so may be recorded late and dated earlier. */
const STAND_ALONE: ReadonlySet<EventType> = new Set<EventType>([
  'talks-held',
  'other-development',
  'court-ruling',
  'agreement-signed',
  'wto-dispute-filed',
]);

function nextEvent(random: Random, memory: PairMemory): WorkloadEvent {
  const index = memory.produced++;
  // In-order events walk valid time forward across 1950–2025; 10 % of those that stand alone land
  // somewhere earlier.
  const cursor = DAY_1950 + Math.min(SPAN, Math.floor((SPAN * (index + random.next())) / memory.expected));
  const outOfOrder = random.chance(0.1);
  // Late facts are mostly recent history filled in (up to five years back), some much older.
  const back = random.chance(0.7)
    ? Math.min(cursor - DAY_1950, random.int(5 * 365))
    : random.int(Math.max(1, cursor - DAY_1950));
  const actor = random.pick(memory.countries);
  const roll = random.next();
  if (roll < 0.03 && memory.targets.length > 0) return correctionOrRetraction(random, memory, roll < 0.02);
  const drawn = drawType(random);
  // A step that follows an earlier one (a lift, a restored list, a resumed dispute) is not dated
  // before it in a real record: only developments that stand alone arrive late.
  const day = outOfOrder && STAND_ALONE.has(drawn) ? cursor - back : cursor;
  const { type, data } = development(random, memory, drawn, actor, day);
  const date = partialDate(random, day);
  const event: WorkloadEvent = {
    id: random.uuid(),
    pair: memory.pair,
    type,
    date,
    actor,
    summary: `${words(random, 10 + random.int(10))}.`,
    data,
    sources: sources(random, day),
  };
  if (date.length === 10 && random.chance(0.05)) event.dateEnd = addDays(date, 1 + random.int(20));
  if (random.chance(0.05)) event.note = words(random, 8);
  memory.targets.push({ id: event.id, type });
  if (memory.targets.length > 64) memory.targets.splice(0, memory.targets.length - 64);
  return event;
}

function correctionOrRetraction(random: Random, memory: PairMemory, correction: boolean): WorkloadEvent {
  const at = random.int(memory.targets.length);
  const target = memory.targets[at]!;
  const day = DAY_1950 + random.int(SPAN);
  const base = {
    id: random.uuid(),
    pair: memory.pair,
    date: dayFromNumber(Math.min(DAY_2025, day)),
    actor: memory.countries[0],
    summary: `${words(random, 10)}.`,
    sources: sources(random, day),
  };
  if (!correction) {
    // A retracted event can be neither corrected nor retracted again.
    memory.targets.splice(at, 1);
    return { ...base, type: 'event-retracted', data: { eventId: target.id, reason: words(random, 8) } };
  }
  const changes: Record<string, unknown> = { summary: `${words(random, 20)}.` };
  // A third of corrections move the event in valid time, which reorders the fold.
  if (random.chance(0.33)) changes.date = partialDate(random, DAY_1950 + random.int(SPAN));
  return {
    ...base,
    type: 'event-corrected',
    data: { eventId: target.id, changes, reason: words(random, 8) },
  };
}

function drawType(random: Random): EventType {
  let roll = random.next() * TOTAL_WEIGHT;
  for (const [type, weight] of TYPE_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return type;
  }
  return 'other-development';
}

/** Mostly no phase or `effective`; a few steps announced or decided first. */
function phase(random: Random): { phase?: string } {
  const roll = random.next();
  if (roll < 0.05) return { phase: 'announced' };
  if (roll < 0.08) return { phase: 'decided' };
  return roll < 0.4 ? { phase: 'effective' } : {};
}

/**
 * Measures live and die as in a real record: an imposing event creates one (or makes effective
 * the one announced before), easing and lifting name a standing one, few stand at once, and a
 * small share of lifts name a measure never recorded (the fold warns about those).
 */
function measureStep(
  random: Random,
  memory: PairMemory,
  drawn: EventType,
  actor: string,
): { type: EventType; measureId: string; phase: { phase?: string } } {
  const kind = drawn.split('-')[0]!;
  const key = `${kind}:${actor}`;
  const active = memory.measures.get(key) ?? [];
  memory.measures.set(key, active);
  const imposing =
    drawn === 'export-control-tightened' || drawn === 'tariff-imposed' || drawn === 'sanctions-imposed';
  const imposeType = (kind === 'export' ? 'export-control-tightened' : `${kind}-imposed`) as EventType;
  const liftType = (kind === 'export' ? 'export-control-lifted' : `${kind}-lifted`) as EventType;
  const announced = memory.announced.get(key);
  if ((imposing && active.length < 3) || (!imposing && active.length === 0)) {
    if (announced !== undefined) {
      memory.announced.delete(key);
      active.push(announced);
      return { type: imposeType, measureId: announced, phase: { phase: 'effective' } };
    }
    const measureId = `${actor.toLowerCase()}-${kind}-${memory.produced}`;
    const step = phase(random);
    if (step.phase === 'announced' || step.phase === 'decided') memory.announced.set(key, measureId);
    else active.push(measureId);
    return { type: imposeType, measureId, phase: step };
  }
  if (random.chance(0.05))
    return { type: liftType, measureId: `${actor.toLowerCase()}-${kind}-unrecorded`, phase: {} };
  const measureId = active[0]!;
  if (drawn === 'export-control-eased' && random.chance(0.7)) {
    return { type: 'export-control-eased', measureId, phase: {} };
  }
  active.shift();
  return { type: liftType, measureId, phase: random.chance(0.9) ? {} : { phase: 'effective' } };
}

function items(random: Random, count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(`${random.pick(WORDS)} ${random.pick(WORDS)}`);
  return [...out];
}

function development(
  random: Random,
  memory: PairMemory,
  drawn: EventType,
  actor: string,
  day: number,
): { type: EventType; data: Record<string, unknown> } {
  switch (drawn) {
    case 'export-control-tightened':
    case 'tariff-imposed':
    case 'sanctions-imposed':
    case 'export-control-eased':
    case 'export-control-lifted':
    case 'tariff-lifted':
    case 'sanctions-lifted': {
      const step = measureStep(random, memory, drawn, actor);
      const list = items(random, 1 + random.int(3));
      const data: Record<string, unknown> =
        step.type === 'export-control-tightened'
          ? { measureId: step.measureId, items: list, instrument: words(random, 3) }
          : step.type === 'tariff-imposed'
            ? { measureId: step.measureId, products: list, rate: `${5 + random.int(40)}%` }
            : step.type === 'sanctions-imposed'
              ? { measureId: step.measureId, targets: list, kind: 'asset freeze' }
              : { measureId: step.measureId };
      return { type: step.type, data: { ...data, ...step.phase } };
    }
    case 'preferential-list-removed':
    case 'preferential-list-restored': {
      // Mostly the step that follows the current status; sometimes a repeat the fold warns about.
      const removed = memory.listRemoved.has(actor);
      const type =
        random.chance(0.9) === removed ? 'preferential-list-restored' : 'preferential-list-removed';
      if (type === 'preferential-list-removed') memory.listRemoved.add(actor);
      else memory.listRemoved.delete(actor);
      return { type, data: { ...phase(random) } };
    }
    default:
      return { type: drawn, data: dataFor(random, memory, drawn, actor, day) };
  }
}

function dataFor(
  random: Random,
  memory: PairMemory,
  type: EventType,
  actor: string,
  day: number,
): Record<string, unknown> {
  switch (type) {
    case 'court-ruling':
      return { court: `${words(random, 2)} court`, holding: words(random, 12), caseId: `case-${day}` };
    case 'export-control-tightened':
    case 'tariff-imposed':
    case 'sanctions-imposed':
    case 'export-control-eased':
    case 'export-control-lifted':
    case 'tariff-lifted':
    case 'sanctions-lifted':
    case 'preferential-list-removed':
    case 'preferential-list-restored':
      throw new Error(`${type} is drawn by development`);
    case 'agreement-signed': {
      const agreementId = `agreement-${memory.produced}`;
      memory.agreements.push(agreementId);
      if (memory.agreements.length > 8) memory.agreements.shift();
      return { agreementId, name: `${words(random, 3)} agreement` };
    }
    case 'agreement-termination-notified':
      return {
        agreementId: pickOrNew(random, memory.agreements, `agreement-${memory.produced}`),
        terminatesOn: dayFromNumber(Math.min(DAY_2025, day + 90)),
        ...phase(random),
      };
    case 'agreement-termination-suspended':
    case 'agreement-normalised':
    case 'agreement-terminated':
      return {
        agreementId: pickOrNew(random, memory.agreements, `agreement-${memory.produced}`),
        ...phase(random),
      };
    case 'wto-dispute-filed': {
      const disputeId = `DS${100 + random.int(900)}`;
      memory.disputes.push(disputeId);
      if (memory.disputes.length > 8) memory.disputes.shift();
      return { disputeId, title: words(random, 6) };
    }
    case 'wto-dispute-stage-reached':
      return { disputeId: pickOrNew(random, memory.disputes, 'DS999'), stage: random.pick(STAGES) };
    case 'wto-dispute-suspended':
    case 'wto-dispute-resumed':
    case 'wto-dispute-withdrawn':
      return { disputeId: pickOrNew(random, memory.disputes, 'DS999'), ...phase(random) };
    case 'talks-held':
      return {
        level: random.pick(LEVELS),
        format: random.pick(FORMATS),
        forum: words(random, 2),
        outcome: words(random, 8),
      };
    case 'other-development':
      return { category: random.pick(WORDS) };
    case 'event-corrected':
    case 'event-retracted':
      throw new Error(`${type} is drawn by correctionOrRetraction, never by drawType`);
  }
}

function pickOrNew(random: Random, known: readonly string[], fresh: string): string {
  return known.length > 0 && random.chance(0.9) ? random.pick(known) : fresh;
}
