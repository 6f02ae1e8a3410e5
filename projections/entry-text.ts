/**
 * JSON text of states written from text already made.
 *
 * The fold replaces the entries of a state (a measure, an agreement, a dispute, a ruling, a
 * warning, a listed event, `talks`, a list status) instead of changing them, and seals each new
 * one with {@link sealEntry}: frozen, with room for its JSON text, which is written on first use
 * and kept beside it (a non-enumerable symbol member, invisible to `JSON.stringify`, `Object.keys`
 * and equality checks). States, checkpoints and the points of a series share those entries, so
 * {@link stateJson} writes a state as its few own fields around text made once per entry: the same
 * text as `JSON.stringify(state)` (a property test holds it to that) for a fraction of the work.
 */
import type { RelationState } from './state.types';

const TEXT = Symbol('json text');

interface Sealed {
  [TEXT]: { text: string | undefined };
}

/** Freezes `entry` with room for its text; returns it. Nothing may change it afterwards. */
export function sealEntry<T extends object>(entry: T): T {
  Object.defineProperty(entry, TEXT, { value: { text: undefined } });
  return Object.freeze(entry);
}

/** `JSON.stringify(state)`, with each sealed entry's text written once and reused. */
export function stateJson(state: RelationState): string {
  return valueText(state) ?? 'null';
}

/** `JSON.stringify(value)` for JSON data whose shared parts are sealed entries. */
export function sharedJson(value: unknown): string {
  return valueText(value) ?? 'null';
}

function valueText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const holder = (value as Partial<Sealed>)[TEXT];
  if (holder !== undefined) return (holder.text ??= JSON.stringify(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + (valueText(value[i]) ?? 'null');
    return `${text}]`;
  }
  let text = '{';
  for (const key of Object.keys(value)) {
    const member = valueText((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${member}`;
  }
  return `${text}}`;
}
