/**
 * JSON of states, as UTF-8 bytes, written from bytes already made.
 *
 * The fold replaces the entries of a state (a measure, an agreement, a dispute, a ruling, a
 * warning, a listed event, `talks`, a list status) instead of changing them, and seals each new
 * one with {@link sealEntry}: frozen, with room for its JSON, which is encoded on first use and kept
 * beside it (a non-enumerable symbol member, invisible to `JSON.stringify`, `Object.keys` and
 * equality checks), as text at first and as bytes once the entry is written again. States,
 * checkpoints and the points of a series share those entries, so {@link writeJson} writes a state
 * as its few own fields around bytes made once per entry, copied into buffers: the UTF-8 of `JSON.stringify(state)` (a property test holds it to that) without
 * building, flattening and encoding the whole text on every answer.
 */
const BYTES = Symbol('json bytes');

/**
 * An entry's JSON: the text after its first use, its UTF-8 bytes from its second on. Most entries
 * that a fold makes for one answer (the events after the nearest checkpoint) are written once and
 * dropped with it, so they never get a buffer of their own; entries that states share get one.
 */
interface EntryJson {
  text: string | undefined;
  bytes: Buffer | undefined;
}

interface Sealed {
  [BYTES]: EntryJson;
}

/** Freezes `entry` with room for its JSON; returns it. Nothing may change it afterwards. */
export function sealEntry<T extends object>(entry: T): T {
  const json: EntryJson = { text: undefined, bytes: undefined };
  Object.defineProperty(entry, BYTES, { value: json });
  return Object.freeze(entry);
}

/** The UTF-8 bytes of `JSON.stringify(value)` (see {@link writeJson}), in order, to keep. */
export function sharedJson(value: unknown): Buffer[] {
  const pieces: Buffer[] = [];
  writeJson(value, (piece) => pieces.push(piece));
  return pieces;
}

/**
 * Hands the bytes of a large answer's piece back once they are sent (a socket write's callback):
 * its buffer is then written over by a later answer. A piece whose release is never called stays
 * the sink's.
 */
export type ReleasePiece = () => void;

/**
 * Writes the UTF-8 bytes of `JSON.stringify(value)`, for JSON data whose shared parts are sealed
 * entries, to `sink` as they are made: one piece for an answer under 256 KiB, then 1 MiB pieces.
 * A long series of snapshots (17 MB) can so be on its way while the rest is written, instead of
 * grown in one buffer by copying; and the sink may release each piece once sent, so that the next
 * series reuses its buffer instead of allocating 17 MB outside the heap again (such allocations
 * make V8 collect garbage early, which cost more than writing the series).
 */
export function writeJson(value: unknown, sink: (piece: Buffer, release: ReleasePiece) => void): void {
  const out = new ByteWriter(sink);
  if (!writeValue(value, out)) out.text('null');
  out.finish();
}

/** The pieces {@link ByteWriter} writes into after its scratch buffer. */
const PIECE_BYTES = 1024 * 1024;

/** Most released pieces kept for reuse (16 MiB). */
const POOLED_PIECES = 16;

const freePieces: Buffer[] = [];

function takePiece(size: number): Buffer {
  return size <= PIECE_BYTES
    ? (freePieces.pop() ?? Buffer.allocUnsafe(PIECE_BYTES))
    : Buffer.allocUnsafe(size);
}

function releaser(buffer: Buffer): ReleasePiece {
  let released = false;
  return () => {
    if (released || buffer.length !== PIECE_BYTES || freePieces.length >= POOLED_PIECES) return;
    released = true;
    freePieces.push(buffer);
  };
}

const NOTHING_TO_RELEASE: ReleasePiece = () => undefined;

/**
 * Bytes written into buffers in order, each handed to the sink when full. The first is a scratch
 * buffer kept between calls (answers are written synchronously, one at a time), whose bytes are
 * copied out; the pieces after it come from the pool of released ones, or are new.
 */
class ByteWriter {
  private static readonly scratch = Buffer.allocUnsafe(256 * 1024);
  private buffer: Buffer = ByteWriter.scratch;
  private length = 0;

  constructor(private readonly sink: (piece: Buffer, release: ReleasePiece) => void) {}

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

  finish(): void {
    this.closePiece();
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    this.closePiece();
    this.buffer = takePiece(more);
    this.length = 0;
  }

  private closePiece(): void {
    if (this.length === 0) return;
    if (this.buffer === ByteWriter.scratch) {
      const copy = Buffer.allocUnsafe(this.length);
      this.buffer.copy(copy, 0, 0, this.length);
      this.sink(copy, NOTHING_TO_RELEASE);
    } else {
      this.sink(this.buffer.subarray(0, this.length), releaser(this.buffer));
    }
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
  const json = (value as Partial<Sealed>)[BYTES];
  if (json !== undefined) {
    if (json.bytes !== undefined) {
      out.bytes(json.bytes);
    } else if (json.text === undefined) {
      json.text = JSON.stringify(value);
      out.text(json.text);
    } else {
      json.bytes = Buffer.from(json.text);
      json.text = undefined;
      out.bytes(json.bytes);
    }
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
    if (!first) out.text(',');
    out.text(keyText(key));
    first = false;
    writeValue(member, out);
  }
  out.text('}');
  return true;
}

/** `"key":` for the keys met so far (the state's own, country codes), up to a bound. */
const keyTexts = new Map<string, string>();
const KEY_TEXTS_MAX = 4096;

function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`;
    if (keyTexts.size < KEY_TEXTS_MAX) keyTexts.set(key, text);
  }
  return text;
}
