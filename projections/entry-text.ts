/**
 * JSON of states, as UTF-8 bytes, written from bytes already made.
 *
 * The fold replaces the entries of a state (a measure, an agreement, a dispute, a ruling, a
 * warning, a listed event, `talks`, a list status) instead of changing them, and seals each new
 * one with {@link sealEntry}: frozen, with room for its JSON, which is encoded on first use and kept
 * beside it (a non-enumerable symbol member, invisible to `JSON.stringify`, `Object.keys` and
 * equality checks). States, checkpoints and the points of a series share those entries, so
 * {@link stateJson} writes a state as its few own fields around bytes made once per entry, copied
 * into one buffer: the UTF-8 of `JSON.stringify(state)` (a property test holds it to that) without
 * building, flattening and encoding the whole text on every answer.
 */
import type { RelationState } from './state.types';

const BYTES = Symbol('json bytes');

interface Sealed {
  [BYTES]: { bytes: Buffer | undefined };
}

/** Freezes `entry` with room for its JSON; returns it. Nothing may change it afterwards. */
export function sealEntry<T extends object>(entry: T): T {
  Object.defineProperty(entry, BYTES, { value: { bytes: undefined } });
  return Object.freeze(entry);
}

/** The UTF-8 bytes of `JSON.stringify(state)`, each sealed entry encoded once and reused. */
export function stateJson(state: RelationState): Buffer {
  return sharedJson(state);
}

/** The UTF-8 bytes of `JSON.stringify(value)` for JSON data whose shared parts are sealed entries. */
export function sharedJson(value: unknown): Buffer {
  const out = new ByteWriter();
  if (!writeValue(value, out)) out.text('null');
  return out.finish();
}

/**
 * A growing buffer. It starts in a scratch buffer kept between calls (answers are written
 * synchronously, one at a time), and the result is copied out of it; an answer too large for the
 * scratch gets a buffer of its own, handed out as it is.
 */
class ByteWriter {
  private static scratch = Buffer.allocUnsafe(256 * 1024);
  private buffer = ByteWriter.scratch;
  private length = 0;

  text(text: string): void {
    // A UTF-16 code unit takes at most three bytes in UTF-8.
    this.reserve(text.length * 3);
    // Keys, punctuation and numbers are short ASCII: copied here, they skip a call into the
    // runtime that costs more than the copy.
    if (text.length <= 32) {
      const { buffer } = this;
      let at = this.length;
      let i = 0;
      for (; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at++] = code;
      }
      if (i === text.length) {
        this.length = at;
        return;
      }
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  bytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  finish(): Buffer {
    if (this.buffer !== ByteWriter.scratch) return this.buffer.subarray(0, this.length);
    const result = Buffer.allocUnsafe(this.length);
    this.buffer.copy(result, 0, 0, this.length);
    return result;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + more));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Writes `value` as `JSON.stringify` would; false (and nothing written) where it writes nothing. */
function writeValue(value: unknown, out: ByteWriter): boolean {
  if (typeof value !== 'object' || value === null) {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return false;
    out.text(text);
    return true;
  }
  const holder = (value as Partial<Sealed>)[BYTES];
  if (holder !== undefined) {
    out.bytes((holder.bytes ??= Buffer.from(JSON.stringify(value))));
    return true;
  }
  if (Array.isArray(value)) {
    out.text('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.text(',');
      if (!writeValue(value[i], out)) out.text('null');
    }
    out.text(']');
    return true;
  }
  out.text('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out.text(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    writeValue(member, out);
  }
  out.text('}');
  return true;
}
