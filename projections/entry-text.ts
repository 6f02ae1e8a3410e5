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

/**
 * A list as last written in an answer: its elements (copied) and its bytes, `[`, the elements'
 * bytes separated by `,`, then `]`, with where each element's bytes end (the next begins one byte
 * later, after its comma). An element counts only where its JSON cannot have changed since: a
 * sealed entry or a primitive; any other is {@link NOT_KEPT}.
 */
interface ListJson {
  elements: unknown[];
  bytes: Buffer;
  ends: Uint32Array;
}

/** Marks a list's first entry met once in an answer: its list is remembered from the second on. */
const SEEN = Symbol('first of a list');

const NOT_KEPT = Symbol('not kept');

/** How far ahead in the last list an element is looked for (see {@link writeList}). */
const LOOK_AHEAD = 16;

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

/**
 * Writes what {@link writeJson} writes, for an answer with long arrays directly under it (a
 * series of snapshots: 120 points of ~140 kB). After an element that filled a piece (handed to
 * `sink` as it filled), it asks `ready` whether to go on: `true` at once, or a promise, once the
 * sink has sent enough of what it holds (`false`: stop, the reader went away).
 * Written in one go, a long series holds every other request back until its last byte is made,
 * and what the client has not read yet waits in memory, all of it; so the writer can let others
 * in between pieces and wait for a slow client. Its pieces are buffers of their own (not the
 * scratch buffer that answers written in one go share), so other answers may be written while it
 * waits.
 */
export async function streamJson(
  value: unknown,
  sink: (piece: Buffer, release: ReleasePiece) => void,
  ready: () => boolean | Promise<boolean>,
): Promise<void> {
  const out = new ByteWriter(sink, false);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || jsonOf(value) !== undefined) {
    if (!writeValue(value, out)) out.text('null');
    out.finish();
    return;
  }
  // The object's members as `writeValue` writes them, its arrays element by element.
  out.text('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (!isWritten(member)) continue;
    out.key(key, first);
    first = false;
    if (!Array.isArray(member)) {
      writeValue(member, out);
      continue;
    }
    out.text('[');
    for (let i = 0; i < member.length; i++) {
      if (i > 0) out.text(',');
      const piece = out.piece;
      if (!writeValue(member[i], out)) out.text('null');
      if (out.piece !== piece && !(await ready())) return;
    }
    out.text(']');
  }
  out.text('}');
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
  private static readonly empty = Buffer.alloc(0);
  private buffer: Buffer;
  private length = 0;
  private pieces = 0;
  /** The lists of this answer, by their first entry (see {@link writeList}). */
  readonly lists = new Map<object, ListJson | typeof SEEN>();

  /** `scratch`: begin in the scratch buffer; else every piece is one of the pool's. */
  constructor(
    private readonly sink: (piece: Buffer, release: ReleasePiece) => void,
    scratch = true,
  ) {
    this.buffer = scratch ? ByteWriter.scratch : ByteWriter.empty;
  }

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

  /** An object's member's `"key":`, after a comma unless it is the first. */
  key(key: string, first: boolean): void {
    if (!first) this.text(',');
    this.text(keyText(key));
  }

  bytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** `bytes[from..to)`. */
  range(bytes: Buffer, from: number, to: number): void {
    this.reserve(to - from);
    bytes.copy(this.buffer, this.length, from, to);
    this.length += to - from;
  }

  /** Where the next byte goes in the current piece. */
  get position(): number {
    return this.length;
  }

  /** How many pieces were handed on so far: positions compare only within one piece. */
  get piece(): number {
    return this.pieces;
  }

  /** A copy of the current piece's bytes from `from` on. */
  copyFrom(from: number): Buffer {
    const copy = Buffer.allocUnsafe(this.length - from);
    this.buffer.copy(copy, 0, from, this.length);
    return copy;
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
    this.pieces++;
    if (this.buffer === ByteWriter.scratch) {
      const copy = Buffer.allocUnsafe(this.length);
      this.buffer.copy(copy, 0, 0, this.length);
      this.sink(copy, NOTHING_TO_RELEASE);
    } else {
      this.sink(this.buffer.subarray(0, this.length), releaser(this.buffer));
    }
  }
}

/** The JSON kept beside `value` when it is a sealed entry. */
function jsonOf(value: unknown): EntryJson | undefined {
  return typeof value === 'object' && value !== null ? (value as Partial<Sealed>)[BYTES] : undefined;
}

/** `element` as a list's bytes may remember it: itself where its JSON cannot change. */
function keptElement(element: unknown): unknown {
  return typeof element !== 'object' || element === null || jsonOf(element) !== undefined
    ? element
    : NOT_KEPT;
}

/**
 * Writes a list as `JSON.stringify` would. Within one answer, a list whose first element is a
 * sealed entry is, from the second list that begins with that entry on, written from the bytes of
 * the last one wherever it has the same elements in the same order. Along a series of snapshots
 * the fold's lists (rulings, warnings, agreements…) keep their entries from one date to the next
 * and mostly grow at the end, so each point is written as a few runs of the point before instead
 * of entry after entry. (Across answers this does not pay: states at random dates differ too
 * much, and keeping lists' bytes for every pair costs memory.)
 */
function writeList(list: readonly unknown[], out: ByteWriter): void {
  const first = list[0];
  const head = list.length > 0 && jsonOf(first) !== undefined ? (first as object) : undefined;
  const known = head === undefined ? undefined : out.lists.get(head);
  if (head === undefined || known === undefined) {
    if (head !== undefined) out.lists.set(head, SEEN);
    out.text('[');
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out.text(',');
      if (!writeValue(list[i], out)) out.text('null');
    }
    out.text(']');
    return;
  }
  const last = known === SEEN ? undefined : known;
  const previous = last?.elements ?? [];
  const piece = out.piece;
  const start = out.position;
  const ends = scratchEnds(list.length);
  /** Bytes written entry by entry. */
  let fresh = 0;
  out.text('[');
  // `j` walks the last list beside `i`: where an element is not the one the last list had there,
  // the next few of the last list are looked at, so that a few entries removed, added or replaced
  // (an agreement whose status changed, warnings added before others) do not end the runs after them.
  let j = 0;
  for (let i = 0; i < list.length;) {
    if (i > 0) out.text(',');
    const element = list[i];
    let at = j;
    const ahead = Math.min(previous.length, j + LOOK_AHEAD);
    while (at < ahead && previous[at] !== element) at++;
    if (at < ahead) {
      // A run of elements that follow each other in the last list too: its bytes, commas included.
      let end = 1;
      while (i + end < list.length && at + end < previous.length && list[i + end] === previous[at + end])
        end++;
      const from = at === 0 ? 1 : last!.ends[at - 1]! + 1;
      const shift = out.position - start - from;
      out.range(last!.bytes, from, last!.ends[at + end - 1]!);
      for (let k = 0; k < end; k++) ends[i + k] = last!.ends[at + k]! + shift;
      i += end;
      j = at + end;
    } else {
      const before = out.position;
      if (!writeValue(element, out)) out.text('null');
      ends[i] = out.position - start;
      fresh += out.position - before;
      i++;
    }
  }
  out.text(']');
  // The list is remembered when a good part of it (a quarter of its bytes) was written anew: a few
  // entries more or less at the end are not worth copying the whole list again. Positions hold
  // within one piece, so a list that spans two is not remembered.
  if ((last === undefined || fresh * 4 >= out.position - start) && out.piece === piece) {
    out.lists.set(head, {
      elements: list.map(keptElement),
      bytes: out.copyFrom(start),
      ends: ends.slice(0, list.length),
    });
  }
  freeEnds(ends);
}

/**
 * Arrays for the ends of a list's elements while it is written, kept between lists: most lists
 * are not remembered, and a typed array costs more to make than the list costs to write. One per
 * list being written at once (a list inside an element of another).
 */
const endsPool: Uint32Array[] = [];

function scratchEnds(length: number): Uint32Array {
  const ends = endsPool.pop();
  return ends !== undefined && ends.length >= length ? ends : new Uint32Array(Math.max(length, 256));
}

function freeEnds(ends: Uint32Array): void {
  if (endsPool.length < 8) endsPool.push(ends);
}

/** Whether `JSON.stringify` writes an object's member of this value (it leaves some out). */
function isWritten(member: unknown): boolean {
  return member !== undefined && typeof member !== 'function' && typeof member !== 'symbol';
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
      json.bytes = entryBytes(json.text);
      json.text = undefined;
      out.bytes(json.bytes);
    }
    return true;
  }
  if (Array.isArray(value)) {
    writeList(value, out);
    return true;
  }
  out.text('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (!isWritten(member)) continue;
    out.key(key, first);
    first = false;
    writeValue(member, out);
  }
  out.text('}');
  return true;
}

/**
 * Entries' bytes are cut from buffers that hold nothing else, not made with `Buffer.from`: small
 * buffers from `Buffer.from` are slices of Node's shared 8 KiB pool, which short-lived buffers pass
 * through too (every answer under 4 KiB is copied into one, see `closePiece`), so each long-lived
 * entry would keep a whole slab of dead neighbours alive. Under sustained GET state load on the
 * benchmark's store, live array buffers grew from ~24 MB to 53 MB in three minutes and were still
 * growing; cut from buffers of their own, they stay at ~15 MB live (~22 MB between collections).
 * A larger entry (a long list inside it) gets a buffer of its own.
 */
const ENTRY_BUFFER_BYTES = 64 * 1024;
/** Longest entry (in UTF-16 units) whose bytes are cut from {@link entryBuffer}. */
const CUT_MAX_LENGTH = ENTRY_BUFFER_BYTES / 48;
let entryBuffer = Buffer.allocUnsafeSlow(ENTRY_BUFFER_BYTES);
let entryBufferUsed = 0;

/** The UTF-8 bytes of an entry's JSON, to keep for as long as the entry lives. */
function entryBytes(text: string): Buffer {
  if (text.length > CUT_MAX_LENGTH) {
    // Not `Buffer.from`: under 4 KiB it too would be a slice of the shared pool.
    const own = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    own.write(text, 0, 'utf8');
    return own;
  }
  // A UTF-16 code unit takes at most three bytes in UTF-8.
  if (entryBufferUsed + text.length * 3 > ENTRY_BUFFER_BYTES) {
    entryBuffer = Buffer.allocUnsafeSlow(ENTRY_BUFFER_BYTES);
    entryBufferUsed = 0;
  }
  const written = entryBuffer.write(text, entryBufferUsed, 'utf8');
  const bytes = entryBuffer.subarray(entryBufferUsed, entryBufferUsed + written);
  entryBufferUsed += written;
  return bytes;
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
