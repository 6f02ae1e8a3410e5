/**
 * Warnings: what a projection noticed but did not refuse. A recorded event is a fact, so anything
 * that does not fit the state is kept and reported here instead.
 */

/**
 * Stable warning codes. `not-in-state`: the event presupposes something the state does not hold
 * (easing a measure never recorded, restoring a list never removed). `already-in-state`: the event
 * repeats what the state already says. `beginning-not-recorded`: an agreement or dispute event
 * arrived before any record of its start, so the projection created it. `terminates-on-passed`:
 * a notified termination date has passed by `asOf` with no later event on the agreement.
 * `invalid-reference`: a correction or retraction whose target cannot take it; it is ignored.
 * `possible-duplicate`: an appended event looks like one already stored.
 */
export type WarningCode =
  | 'not-in-state'
  | 'already-in-state'
  | 'beginning-not-recorded'
  | 'terminates-on-passed'
  | 'invalid-reference'
  | 'possible-duplicate';

/** One warning. `eventId` is the event it is about; `relatedEventId` another event it names. */
export interface Warning {
  code: WarningCode;
  message: string;
  eventId?: string;
  relatedEventId?: string;
}

/**
 * Keys made so far, by warning. A state's warnings are kept from one fold to the next, and an
 * append compares the pair's warnings before and after it: each key is made (and its long
 * message hashed) once, not at every append. Warnings are never changed once made.
 */
const keys = new WeakMap<Warning, string>();

/** Identity of a warning, used to tell new warnings from those already reported. */
export function warningKey(warning: Warning): string {
  let key = keys.get(warning);
  if (key === undefined) {
    key = `${warning.code}\u0000${warning.eventId ?? ''}\u0000${warning.relatedEventId ?? ''}\u0000${warning.message}`;
    keys.set(warning, key);
  }
  return key;
}
