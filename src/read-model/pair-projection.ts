/**
 * One pair's cached projection: its decoded events in revision order and, built lazily, the fold
 * in valid-time order with checkpoints every few events, so that "as of" questions resume from
 * the nearest checkpoint instead of refolding the whole stream.
 *
 * A checkpoint after the first `i` fold items can serve `asOf` only when all of those items are
 * certain by `asOf` (their intervals all end on or before it): the fold at `asOf` is then exactly
 * the checkpoint followed by the certain items after it. `prefixEnd[i]` (the latest end among the
 * first `i` items, non-decreasing in `i`) finds the furthest usable checkpoint by binary search.
 *
 * Events dated with reduced precision (`1983`, `1983-10`) or with a `dateEnd` are uncertain until
 * their interval ends, and so keep the checkpoints after them out of use until then: a question
 * in mid-1983 on a pair with an event dated `1983` would fold every event of 1983 so far from the
 * checkpoint before it. For such questions the projection keeps checkpoints that hold those items
 * back: the fold of the first `index` items without the ones whose interval ends after `asOf`,
 * kept by `index` and exactly which items are held back, so that any later question with the same
 * items held back resumes from it (see {@link PairProjection.heldBackCheckpoint}).
 *
 * Checkpoints only hold for the pair's events as known now, so they serve questions whose
 * `knownAt` is at or after the last recorded event; an earlier `knownAt` folds the events known at
 * that instant from scratch (still without reading the store), which keeps past knowledge exact.
 */
import type { PairId, RecordedEvent } from '../../events/catalogue';
import { isReferenceType, normaliseInstant, resolveCorrections } from '../../projections/corrections';
import {
  applyEvent,
  copyState,
  finishState,
  foldFrom,
  initialState,
  insertForFold,
  orderForFold,
  splitByAsOf,
  stateAt,
  type FoldItem,
} from '../../projections/state';
import { snapshotsAlong, snapshotsAt, type KeepFold } from '../../projections/snapshots';
import type { RelationState } from '../../projections/state.types';
import type { Warning } from '../../projections/warnings';

/**
 * Most events that join a fold's order one by one (each insertion moves the items after it); more
 * at once, as a subscription may bring while nobody asks, and the order is sorted again.
 */
const MAX_INSERTED = 32;

/** A state after the first `index` fold items, all applied. Its state is never mutated once stored. */
interface Checkpoint {
  index: number;
  state: RelationState;
  /**
   * For a fold a series kept at one of its dates: the state it last answered there, finished (see
   * {@link PairProjection.finishedAt}). Never mutated: answers copy its top level.
   */
  finished?: Finished;
}

/** A finished state and what it was finished for (a new revision rebuilds the whole fold). */
interface Finished {
  asOf: string;
  revision: number;
  state: RelationState;
}

/** The fold of every event of the pair, in valid-time order, with its checkpoints. */
interface FoldIndex {
  items: FoldItem[];
  /** Number of corrections applied to each item's event, to tell an unchanged item from a corrected one. */
  corrections: number[];
  /** `prefixEnd[i]`: the latest interval end among `items[0..i)` (`''` for none). */
  prefixEnd: string[];
  checkpoints: Checkpoint[];
  /**
   * Checkpoints with items held back, by where they are and which items they hold back (`index`,
   * then the held items' positions), oldest first; at most twice `maxCheckpoints`, as a place on
   * the grid may have a few, one for each set of items a question there can find uncertain.
   */
  heldBack: Map<string, Checkpoint>;
  referenceWarnings: Warning[];
  revision: number;
  /** Questions answered from this fold so far. */
  asked: number;
  /** The room its checkpoints take, plain and held back, in {@link checkpointSlots}. */
  slots: number;
}

/**
 * What one checkpoint costs beside its lists' elements, in slots: the state object, its lists and
 * the measures of each country, about 50 pointers' worth.
 */
export const CHECKPOINT_OVERHEAD_SLOTS = 50;

/**
 * The room a checkpoint takes, in slots (about a pointer, 8 bytes, each): one per element of its
 * lists and a fixed overhead. Its entries are shared with the fold's other states, so they are
 * not counted here; its lists are its own.
 */
function checkpointSlots({ state, finished }: Checkpoint): number {
  return stateSlots(state) + (finished === undefined ? 0 : stateSlots(finished.state));
}

/** The room a state's own lists take, in slots, and the fixed overhead. */
function stateSlots(state: RelationState): number {
  let slots = CHECKPOINT_OVERHEAD_SLOTS;
  for (const country in state.measures) {
    const measures = state.measures[country]!;
    slots += measures.exportControls.length + measures.tariffs.length + measures.sanctions.length;
  }
  return (
    slots +
    state.agreements.length +
    state.disputes.length +
    state.rulings.length +
    state.pending.length +
    state.uncertain.length +
    state.warnings.length
  );
}

/** Tuning of a {@link PairProjection}. */
export interface PairProjectionOptions {
  /** Fewest fold items between two checkpoints. */
  checkpointEvery: number;
  /**
   * Most checkpoints per pair: each costs a copy of the state, which grows with the pair, so a
   * large pair gets checkpoints further apart rather than more of them.
   */
  maxCheckpoints: number;
}

export class PairProjection {
  private eventsInOrder: RecordedEvent[];
  private fold: FoldIndex | undefined;
  /**
   * Events that arrived since {@link fold} was built (`stale` when any): the fold takes them in on
   * next use, keeping what still holds.
   */
  private arrived: RecordedEvent[] = [];
  /** See {@link byId}. */
  private idIndex: Map<string, RecordedEvent> | undefined;
  private get stale(): boolean {
    return this.arrived.length > 0;
  }

  constructor(
    readonly pair: PairId,
    events: readonly RecordedEvent[],
    private readonly options: PairProjectionOptions,
  ) {
    this.eventsInOrder = [...events];
  }

  /** The events in revision order; the array is never changed afterwards (appends replace it). */
  get events(): readonly RecordedEvent[] {
    return this.eventsInOrder;
  }

  /**
   * The events by id, made on first need (a pair only read never pays for it) and then extended
   * with each append, so an append's check of its ids does not index the whole pair again. It
   * grows with the pair: read it before anything else can extend the projection.
   */
  get byId(): ReadonlyMap<string, RecordedEvent> {
    this.idIndex ??= new Map(this.eventsInOrder.map((event) => [event.id, event]));
    return this.idIndex;
  }

  get size(): number {
    return this.eventsInOrder.length;
  }

  /** Revision of the last event, -1 when none. */
  get revision(): number {
    return this.eventsInOrder.length - 1;
  }

  get lastRecordedAt(): string {
    return this.eventsInOrder[this.eventsInOrder.length - 1]?.recordedAt ?? '';
  }

  /**
   * Adds events that follow the cached ones. Returns `false` (and changes nothing) when they do
   * not continue the stream exactly: the caller then drops the projection and reads the store.
   * Events already held are skipped, so the same event seen twice (from this process's append and
   * from the subscription) is harmless.
   */
  extend(events: readonly RecordedEvent[]): boolean {
    const fresh = events.filter((event) => event.revision > this.revision);
    if (fresh.length === 0) return true;
    for (let i = 0; i < fresh.length; i++) {
      if (fresh[i]!.revision !== this.revision + 1 + i) return false;
    }
    this.eventsInOrder = [...this.eventsInOrder, ...fresh];
    if (this.fold !== undefined) this.arrived.push(...fresh);
    const index = this.idIndex;
    if (index !== undefined) for (const event of fresh) index.set(event.id, event);
    return true;
  }

  /** The state as of `asOf` (`YYYY-MM-DD`) as known at `knownAt`; equal to `stateAt` on the same events. */
  state(asOf: string, knownAt: string): RelationState {
    if (!this.knowsEverything(knownAt))
      return stateAt(this.eventsInOrder, { pair: this.pair, asOf, knownAt });
    return this.stateFromCheckpoint(this.foldIndex(), asOf, knownAt);
  }

  /** The state at each date, in the order asked; equal to `snapshotsAt` on the same events. */
  snapshots(dates: readonly string[], knownAt: string): Array<{ date: string; state: RelationState }> {
    if (!this.knowsEverything(knownAt)) {
      return snapshotsAt(this.eventsInOrder, { pair: this.pair, dates, knownAt });
    }
    if (dates.length === 0) return [];
    const fold = this.foldIndex();
    fold.asked++;
    const ctx = { knownAt, revision: fold.revision, referenceWarnings: fold.referenceWarnings };
    // A series asked before finds the fold it kept at each of its dates, and the state finished there.
    // The first date without one ends the search (a new series has none at its first date).
    const kept: Array<{ checkpoint: Checkpoint; held: FoldItem[] }> = [];
    for (const date of dates) {
      const { reached, held, heldAt } = this.underWay(fold, lastIndexEndingBy(fold.prefixEnd, date), date);
      const checkpoint = fold.heldBack.get(heldKey(reached, heldAt));
      if (checkpoint === undefined) break;
      kept.push({ checkpoint, held });
    }
    if (kept.length === dates.length) {
      return dates.map((date, i) => ({
        date,
        state: this.finishedAt(fold, kept[i]!.checkpoint, kept[i]!.held, date, knownAt),
      }));
    }
    // Otherwise one pass from the checkpoint usable at the earliest date, as `snapshotsAt` does from
    // the start, keeping the fold at each date (with the events under way then held back).
    const earliest = dates.reduce((min, date) => (date < min ? date : min));
    const checkpoint = this.checkpointAtOrBefore(fold, lastIndexEndingBy(fold.prefixEnd, earliest));
    // A series may fill at most half of the checkpoints a pair keeps.
    const keep: KeepFold | undefined =
      dates.length <= this.options.maxCheckpoints
        ? (index, heldAt, state) => {
            const key = heldKey(index, heldAt);
            if (!fold.heldBack.has(key)) this.keepHeldBack(fold, key, { index, state: copyState(state) });
          }
        : undefined;
    return snapshotsAlong(copyState(checkpoint.state), fold.items, checkpoint.index, dates, ctx, keep);
  }

  /**
   * The state at `asOf` from a fold a series kept there, with `held` (the items under way then)
   * listed as uncertain. Finished once for its date and revision and kept beside the fold, so a
   * series asked again copies each point's top level with its own `knownAt` instead of copying
   * and finishing the point again (its lists and entries are shared and never changed). Finishing
   * depends on nothing else: `knownAt` only stands in the answer.
   */
  private finishedAt(
    fold: FoldIndex,
    checkpoint: Checkpoint,
    held: readonly FoldItem[],
    asOf: string,
    knownAt: string,
  ): RelationState {
    const { revision, referenceWarnings } = fold;
    let finished = checkpoint.finished;
    if (finished === undefined || finished.asOf !== asOf || finished.revision !== revision) {
      const state = finishState(copyState(checkpoint.state), {
        asOf,
        knownAt,
        revision,
        referenceWarnings,
        uncertain: held,
      });
      fold.slots -= checkpointSlots(checkpoint);
      finished = { asOf, revision, state };
      checkpoint.finished = finished;
      fold.slots += checkpointSlots(checkpoint);
    }
    return { ...finished.state, knownAt };
  }

  /** Number of checkpoints built so far (for tests and diagnostics). */
  get checkpointCount(): number {
    return this.fold?.checkpoints.length ?? 0;
  }

  /** Number of checkpoints with items held back kept so far (for tests and diagnostics). */
  get heldBackCount(): number {
    return this.fold?.heldBack.size ?? 0;
  }

  /**
   * The room all checkpoints of this pair take now, in slots of about a pointer (8 bytes): the
   * elements of their lists and a fixed overhead each. It grows as questions make checkpoints, so
   * the cache weighs it beside the pair's events.
   */
  get checkpointSlots(): number {
    return this.fold?.slots ?? 0;
  }

  /** {@link checkpointSlots} summed again from the checkpoints held now (tests hold the count to it). */
  recountCheckpointSlots(): number {
    if (this.fold === undefined) return 0;
    let slots = 0;
    for (const checkpoint of this.fold.checkpoints) slots += checkpointSlots(checkpoint);
    for (const checkpoint of this.fold.heldBack.values()) slots += checkpointSlots(checkpoint);
    return slots;
  }

  private knowsEverything(knownAt: string): boolean {
    return normaliseInstant(knownAt) >= this.lastRecordedAt;
  }

  private stateFromCheckpoint(fold: FoldIndex, asOf: string, knownAt: string): RelationState {
    const usable = lastIndexEndingBy(fold.prefixEnd, asOf);
    // The first question after a (re)build folds plainly: a pair asked once never pays for copies.
    const first = fold.asked++ === 0;
    let checkpoint = first ? fold.checkpoints[0]! : this.checkpointAtOrBefore(fold, usable);
    let held: FoldItem[] = [];
    if (!first) {
      const resumed = this.heldBackCheckpoint(fold, checkpoint, asOf);
      if (resumed !== undefined) ({ checkpoint, held } = resumed);
    }
    const { certain, uncertain } = splitByAsOf(fold.items, asOf, checkpoint.index);
    return finishState(foldFrom(checkpoint.state, certain), {
      asOf,
      knownAt,
      revision: fold.revision,
      // Held-back items come before the rest in fold order, as `uncertain` lists them.
      uncertain: held.length === 0 ? uncertain : [...held, ...uncertain],
      referenceWarnings: fold.referenceWarnings,
    });
  }

  /**
   * A checkpoint further on than `base` (the last usable one for `asOf`) that holds back the items
   * still uncertain at `asOf`, with those items; `undefined` when none would be further on. It
   * lies on the checkpoints' grid at or before the last item starting by `asOf`, and holds the
   * fold of the items before it except exactly those whose interval ends after `asOf` (all of
   * them start by `asOf`, so they are the question's uncertain items before it). Made on first
   * need by folding from `base`, then kept for every question that holds back the same items.
   */
  private heldBackCheckpoint(
    fold: FoldIndex,
    base: Checkpoint,
    asOf: string,
  ): { checkpoint: Checkpoint; held: FoldItem[] } | undefined {
    const { reached, held, heldAt } = this.underWay(fold, base.index, asOf);
    // Kept at exactly this point (by a series at a date that held back the same events): nothing to fold.
    const exact = fold.heldBack.get(heldKey(reached, heldAt));
    if (exact !== undefined) return { checkpoint: exact, held };
    const every = this.checkpointSpacing(fold);
    const index = Math.floor(reached / every) * every;
    if (index <= base.index) return undefined;
    let before = 0;
    while (before < heldAt.length && heldAt[before]! < index) before++;
    const key = heldKey(index, heldAt.slice(0, before));
    let checkpoint = fold.heldBack.get(key);
    if (checkpoint === undefined) {
      const state = copyState(base.state);
      for (let i = base.index; i < index; i++) {
        const item = fold.items[i]!;
        if (item.end <= asOf) applyEvent(state, item.event, item.start);
      }
      checkpoint = { index, state };
      this.keepHeldBack(fold, key, checkpoint);
    }
    return { checkpoint, held: held.slice(0, before) };
  }

  /**
   * From `from` (every item before it over by `asOf`): how far the items starting by `asOf` reach,
   * and those of them still under way at `asOf`, with their positions.
   */
  private underWay(
    fold: FoldIndex,
    from: number,
    asOf: string,
  ): { reached: number; held: FoldItem[]; heldAt: number[] } {
    const { items } = fold;
    const held: FoldItem[] = [];
    const heldAt: number[] = [];
    let reached = from;
    for (; reached < items.length && items[reached]!.start <= asOf; reached++) {
      if (items[reached]!.end > asOf) {
        held.push(items[reached]!);
        heldAt.push(reached);
      }
    }
    return { reached, held, heldAt };
  }

  /** Keeps a checkpoint that holds events back (not kept yet), dropping the oldest beyond the bound. */
  private keepHeldBack(fold: FoldIndex, key: string, checkpoint: Checkpoint): void {
    if (fold.heldBack.size >= 2 * this.options.maxCheckpoints) {
      const [oldest, dropped] = fold.heldBack.entries().next().value!;
      fold.heldBack.delete(oldest);
      fold.slots -= checkpointSlots(dropped);
    }
    fold.heldBack.set(key, checkpoint);
    fold.slots += checkpointSlots(checkpoint);
  }

  /** Items between two checkpoints of `fold`. */
  private checkpointSpacing(fold: FoldIndex): number {
    return Math.max(this.options.checkpointEvery, Math.ceil(fold.items.length / this.options.maxCheckpoints));
  }

  /**
   * The last checkpoint at or before `limit`, building the missing ones on the way: checkpoints
   * are made only as far as questions reach, so a cold question pays for one fold, not for all.
   */
  private checkpointAtOrBefore(fold: FoldIndex, limit: number): Checkpoint {
    const every = this.checkpointSpacing(fold);
    const last = fold.checkpoints[fold.checkpoints.length - 1]!;
    const target = last.index + Math.floor((limit - last.index) / every) * every;
    if (target > last.index) {
      const running = copyState(last.state);
      for (let i = last.index; i < target; i++) {
        const item = fold.items[i]!;
        applyEvent(running, item.event, item.start);
        const index = i + 1;
        // The last checkpoint takes the running state itself: nothing changes it after this loop.
        if ((index - last.index) % every === 0) {
          const checkpoint = { index, state: index === target ? running : copyState(running) };
          fold.checkpoints.push(checkpoint);
          fold.slots += checkpointSlots(checkpoint);
        }
      }
    }
    let low = 0;
    let high = fold.checkpoints.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (fold.checkpoints[mid]!.index <= limit) low = mid;
      else high = mid - 1;
    }
    return fold.checkpoints[low]!;
  }

  private foldIndex(): FoldIndex {
    if (this.fold !== undefined && !this.stale) return this.fold;
    const previous = this.fold;
    let items: FoldItem[];
    let corrections: number[];
    let referenceWarnings: Warning[];
    let kept: number;
    if (
      previous !== undefined &&
      this.arrived.length <= MAX_INSERTED &&
      !this.arrived.some((event) => isReferenceType(event.type))
    ) {
      // Only a few new developments arrived: they join the order where a rebuild would put them,
      // with no correction, and change nothing before the first of them.
      const inserted = insertForFold(previous.items, this.arrived);
      items = inserted.items;
      kept = inserted.firstChanged;
      // The earlier items keep their order and their corrections; the first `kept` are the same.
      corrections = previous.corrections.slice(0, kept);
      let earlier = kept;
      for (let i = kept; i < items.length; i++) {
        corrections.push(items[i]!.event.revision > previous.revision ? 0 : previous.corrections[earlier++]!);
      }
      referenceWarnings = previous.referenceWarnings;
    } else {
      const resolution = resolveCorrections(this.eventsInOrder);
      items = orderForFold(resolution);
      const correctionsOf = new Map(
        resolution.events.map((entry) => [entry.recorded.id, entry.correctedBy.length]),
      );
      corrections = items.map((item) => correctionsOf.get(item.event.id) ?? 0);
      referenceWarnings = resolution.warnings;
      kept = previous === undefined ? 0 : unchangedPrefix(previous, items, corrections);
    }
    // The first `kept` items are those of before, so is the latest end among them.
    const prefixEnd: string[] = previous?.prefixEnd.slice(0, kept + 1) ?? [''];
    for (let i = prefixEnd.length - 1; i < items.length; i++) {
      const end = items[i]!.end;
      prefixEnd.push(end > prefixEnd[i]! ? end : prefixEnd[i]!);
    }
    // Checkpoints up to `kept` still hold; the room of those dropped is taken off the count, so an
    // append at the end of a pair's valid time costs the few checkpoints after it, not all of them.
    let slots = previous?.slots ?? 0;
    const checkpoints: Checkpoint[] = [];
    for (const checkpoint of previous?.checkpoints ?? []) {
      if (checkpoint.index <= kept) checkpoints.push(checkpoint);
      else slots -= checkpointSlots(checkpoint);
    }
    if (checkpoints.length === 0) {
      const initial = { index: 0, state: initialState(this.pair) };
      checkpoints.push(initial);
      slots += checkpointSlots(initial);
    }
    // The previous fold is dropped: its map of held-back checkpoints is kept, less those beyond `kept`.
    const heldBack = previous?.heldBack ?? new Map<string, Checkpoint>();
    heldBack.forEach((checkpoint, key) => {
      if (checkpoint.index <= kept) return;
      heldBack.delete(key);
      slots -= checkpointSlots(checkpoint);
    });
    this.fold = {
      items,
      corrections,
      prefixEnd,
      checkpoints,
      heldBack,
      referenceWarnings,
      revision: this.revision,
      // A pair asked before keeps its count across appends: the question after an append resumes
      // from the checkpoints that still hold instead of folding plainly as a first question does.
      asked: previous?.asked ?? 0,
      slots,
    };
    this.arrived = [];
    return this.fold;
  }
}

/**
 * How many leading fold items are the same as before: same event, same interval, same
 * corrections. Checkpoints up to there still hold after an append; an out-of-order event, a
 * correction or a retraction changes the order from its valid-time position on.
 */
function unchangedPrefix(
  previous: FoldIndex,
  items: readonly FoldItem[],
  corrections: readonly number[],
): number {
  const limit = Math.min(previous.items.length, items.length);
  for (let i = 0; i < limit; i++) {
    const before = previous.items[i]!;
    const now = items[i]!;
    if (
      before.event.id !== now.event.id ||
      before.start !== now.start ||
      before.end !== now.end ||
      previous.corrections[i] !== corrections[i]
    ) {
      return i;
    }
  }
  return limit;
}

/**
 * Names a checkpoint that holds events back: the fold of the first `index` items without those at
 * `heldAt` (ascending), and only those.
 */
function heldKey(index: number, heldAt: readonly number[]): string {
  return heldAt.length === 0 ? `${index}` : `${index},${heldAt.join(',')}`;
}

/** The largest `i` with `prefixEnd[i] <= asOf` (`prefixEnd` is non-decreasing, `prefixEnd[0]` is `''`). */
function lastIndexEndingBy(prefixEnd: readonly string[], asOf: string): number {
  let low = 0;
  let high = prefixEnd.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (prefixEnd[mid]! <= asOf) low = mid;
    else high = mid - 1;
  }
  return low;
}
