/** What an event is about: the keys that tie phases, pending steps and duplicates together. */
import type { PartialDate, Phase, RecordedEvent, RelationEvent } from '../events/catalogue';
import { endOf, startOf, type DateInterval } from '../events/dates';

/** The list named when a list event does not name one. */
export const DEFAULT_LIST = 'preferential trade list';

/** The event's `data.phase`, `effective` when absent or when the type has no phases. */
export function phaseOf(event: Pick<RecordedEvent, 'data'>): Phase {
  const phase = (event.data as { phase?: unknown }).phase;
  return phase === 'announced' || phase === 'decided' ? phase : 'effective';
}

/**
 * The `measureId`, `list` (default {@link DEFAULT_LIST}), `agreementId` or `disputeId` an event is
 * about; `undefined` for rulings, talks, other developments, corrections and retractions.
 */
export function subjectOf(event: RelationEvent): string | undefined {
  switch (event.type) {
    case 'export-control-tightened':
    case 'export-control-eased':
    case 'export-control-lifted':
    case 'tariff-imposed':
    case 'tariff-lifted':
    case 'sanctions-imposed':
    case 'sanctions-lifted':
      return stringOr(event.data.measureId, undefined);
    case 'preferential-list-removed':
    case 'preferential-list-restored':
      return stringOr(event.data.list, DEFAULT_LIST);
    case 'agreement-signed':
    case 'agreement-termination-notified':
    case 'agreement-termination-suspended':
    case 'agreement-normalised':
    case 'agreement-terminated':
      return stringOr(event.data.agreementId, undefined);
    case 'wto-dispute-filed':
    case 'wto-dispute-stage-reached':
    case 'wto-dispute-suspended':
    case 'wto-dispute-resumed':
    case 'wto-dispute-withdrawn':
      return stringOr(event.data.disputeId, undefined);
    default:
      return undefined;
  }
}

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback;
}

/** A string array from a value that a correction may have turned into anything. */
export function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/**
 * The closed day interval of an event: from the start of `date` to the end of `dateEnd` (or of
 * `date`). A `dateEnd` before `date`, which only a correction of `date` can leave behind, is
 * disregarded rather than producing an interval that ends before it starts.
 */
export function eventInterval(event: { date: PartialDate; dateEnd?: PartialDate }): DateInterval {
  const start = startOf(event.date);
  const ownEnd = endOf(event.date);
  const end = event.dateEnd === undefined ? ownEnd : endOf(event.dateEnd);
  return { start, end: end < ownEnd ? ownEnd : end };
}
