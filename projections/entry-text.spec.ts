import fc from 'fast-check';
import { day, streamInputs } from '../test/support/arbitraries';
import { NOW, recordAll } from '../test/support/recorded-events';
import { sealEntry, sharedJson, streamJson, writeJson } from './entry-text';
import { snapshotsAt } from './snapshots';
import { stateAt } from './state';

const PAIR = 'JPN-KOR';

describe('JSON text of states from shared entries', () => {
  it('is exactly JSON.stringify of the state, asked twice', () => {
    fc.assert(
      fc.property(streamInputs, fc.array(day, { minLength: 1, maxLength: 8 }), (inputs, dates) => {
        const events = recordAll(PAIR, inputs);
        for (const asOf of dates) {
          const fresh = stateAt(events, { pair: PAIR, asOf, knownAt: NOW });
          // Twice: the second time the entries' text comes from where the first left it.
          for (let i = 0; i < 2; i++) {
            expect(Buffer.concat(sharedJson(fresh)).toString('utf8')).toBe(JSON.stringify(fresh));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is exactly JSON.stringify of a snapshots answer', () => {
    fc.assert(
      fc.property(streamInputs, fc.array(day, { minLength: 1, maxLength: 12 }), (inputs, dates) => {
        const events = recordAll(PAIR, inputs);
        const answer = {
          pair: PAIR,
          knownAt: NOW,
          snapshots: snapshotsAt(events, { pair: PAIR, dates, knownAt: NOW }),
        };
        expect(Buffer.concat(sharedJson(answer)).toString('utf8')).toBe(JSON.stringify(answer));
      }),
      { numRuns: 100 },
    );
  });

  it('writes JSON data of any shape as JSON.stringify does, sealed parts included', () => {
    const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);
    fc.assert(
      fc.property(json, json, (plain, shared) => {
        const sealed = typeof shared === 'object' && shared !== null ? sealEntry(shared) : shared;
        const value = { plain, list: [sealed, plain, sealed], nested: { sealed, missing: undefined } };
        expect(Buffer.concat(sharedJson(value)).toString('utf8')).toBe(JSON.stringify(value));
      }),
    );
  });

  it('writes the UTF-8 of any text, lone surrogates and all, as Buffer.from(JSON.stringify) does', () => {
    const json = fc
      .jsonValue({ stringUnit: 'binary' })
      .map((value) => JSON.parse(JSON.stringify(value)) as unknown);
    fc.assert(
      fc.property(json, json, (plain, shared) => {
        const sealed = typeof shared === 'object' && shared !== null ? sealEntry(shared) : shared;
        const value = { plain, list: [sealed, plain, sealed] };
        expect(Buffer.concat(sharedJson(value)).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
      }),
    );
  });

  it('writes lists that share entries, edited from one to the next, as JSON.stringify does', () => {
    // Lists beginning with the same entry, each the one before with entries added, removed or
    // replaced anywhere (and unsealed or primitive elements among them), as a series of states has.
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('insert', 'remove', 'replace', 'append', 'plain', 'primitive'),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(edit, { maxLength: 6 }), { maxLength: 8 }),
        (size, rounds) => {
          let made = 0;
          const entry = () => sealEntry({ n: made++, text: 'é'.repeat(made % 5) });
          const head = entry();
          let current: unknown[] = [head, ...Array.from({ length: size - 1 }, entry)];
          const lists = [current];
          for (const edits of rounds) {
            const next = [...current];
            for (const { at, kind } of edits) {
              // The first element stays, so that every list is met as the same list again.
              const where = 1 + (at % Math.max(1, next.length));
              if (kind === 'insert') next.splice(where, 0, entry());
              else if (kind === 'remove' && next.length > 1) next.splice(Math.min(where, next.length - 1), 1);
              else if (kind === 'replace' && next.length > 1)
                next[Math.min(where, next.length - 1)] = entry();
              else if (kind === 'append') next.push(entry());
              else if (kind === 'plain') next.splice(where, 0, { n: made++ });
              else if (kind === 'primitive') next.splice(where, 0, made % 2 === 0 ? `s${made++}` : null);
            }
            lists.push(next);
            current = next;
          }
          const value = { lists, again: lists };
          expect(Buffer.concat(sharedJson(value)).toString('utf8')).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes an answer larger than its scratch buffer whole, in pieces', () => {
    const entries = Array.from({ length: 3000 }, (_, i) =>
      sealEntry({ i, text: `entry ${i} ${'é漢'.repeat(100)}` }),
    );
    // A string and a sealed entry each larger than one piece
    const long = 'x'.repeat(1.5 * 1024 * 1024);
    const value = { entries, long, huge: sealEntry({ long }), again: entries };
    const pieces = sharedJson(value);
    expect(pieces.length).toBeGreaterThan(2);
    expect(Buffer.concat(pieces).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
    // And the scratch buffer is left fit for the next, small answer
    const small = { a: [entries[0]] };
    expect(sharedJson(small)).toHaveLength(1);
    expect(Buffer.concat(sharedJson(small)).toString('utf8')).toBe(JSON.stringify(small));
  });

  it('writes a large answer into released buffers again, and never into pieces still held', () => {
    const answer = (tag: string) => ({
      items: Array.from({ length: 5000 }, (_, i) => sealEntry({ i, tag, text: 'x'.repeat(500) })),
    });
    // Given a first answer whose pieces are kept, not released
    const first = answer('first');
    const kept = sharedJson(first);
    expect(kept.length).toBeGreaterThan(2);
    // When a second answer is sent and each piece released once its bytes are taken
    const second = answer('second');
    const sent: Buffer[] = [];
    const released = new Set<ArrayBufferLike>();
    writeJson(second, (piece, release) => {
      sent.push(Buffer.from(piece));
      released.add(piece.buffer);
      release();
    });
    // And a third answer is written after them
    const third = answer('third');
    const reused: Buffer[] = [];
    const thirdBuffers: ArrayBufferLike[] = [];
    writeJson(third, (piece) => {
      reused.push(Buffer.from(piece));
      thirdBuffers.push(piece.buffer);
    });
    // Then every answer is whole, the kept one untouched by the two written after it
    expect(Buffer.concat(kept).equals(Buffer.from(JSON.stringify(first)))).toBe(true);
    expect(Buffer.concat(sent).equals(Buffer.from(JSON.stringify(second)))).toBe(true);
    expect(Buffer.concat(reused).equals(Buffer.from(JSON.stringify(third)))).toBe(true);
    // And the third was written into the buffers the second released, none the first still holds
    expect(thirdBuffers.some((buffer) => released.has(buffer))).toBe(true);
    expect(kept.some((piece) => released.has(piece.buffer))).toBe(false);
  });

  it("keeps each entry's bytes whole while later entries fill the buffers they are cut from", () => {
    // Given entries of every size around the cut (short, multi-byte, and long enough for a buffer
    // of their own), each written twice so that its bytes are made and then used
    const sizes = [1, 40, 700, 1365, 1366, 3000, 5000];
    const make = (round: number) =>
      Array.from({ length: 400 }, (_, i) =>
        sealEntry({ round, i, text: (i % 3 === 0 ? 'é漢' : 'x').repeat(sizes[i % sizes.length]!) }),
      );
    const first = { entries: make(1) };
    const before = Buffer.concat(sharedJson(first));
    expect(Buffer.concat(sharedJson(first)).equals(before)).toBe(true);
    // When many more entries get their bytes after them (megabytes: many buffers filled)
    for (let round = 2; round < 6; round++) {
      const later = { entries: make(round) };
      sharedJson(later);
      expect(Buffer.concat(sharedJson(later)).toString('utf8')).toBe(JSON.stringify(later));
    }
    // Then the first entries still write exactly what they wrote before
    expect(Buffer.concat(sharedJson(first)).equals(before)).toBe(true);
    expect(before.toString('utf8')).toBe(JSON.stringify(first));
  });

  it('keeps a sealed entry frozen and its text out of sight', () => {
    const entry = sealEntry({ code: 'x', message: 'y' });
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.keys(entry)).toEqual(['code', 'message']);
    expect(entry).toEqual({ code: 'x', message: 'y' });
    expect(() => {
      (entry as { code: string }).code = 'z';
    }).toThrow(TypeError);
  });
});

describe('JSON text of a series, streamed', () => {
  /** Streams `value`, each piece copied as it comes, with `ready` answering as given. */
  async function streamed(value: unknown, ready: (pieces: number) => boolean | Promise<boolean>) {
    const pieces: Buffer[] = [];
    await streamJson(
      value,
      (piece, release) => {
        pieces.push(Buffer.from(piece));
        release();
      },
      () => ready(pieces.length),
    );
    return pieces;
  }

  it('is exactly JSON.stringify of a snapshots answer, or of any JSON data', async () => {
    const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);
    await fc.assert(
      fc.asyncProperty(
        streamInputs,
        fc.array(day, { minLength: 1, maxLength: 12 }),
        json,
        fc.boolean(),
        async (inputs, dates, other, waits) => {
          const events = recordAll(PAIR, inputs);
          const answer = {
            pair: PAIR,
            knownAt: NOW,
            snapshots: snapshotsAt(events, { pair: PAIR, dates, knownAt: NOW }),
            other,
            missing: undefined,
          };
          const ready = () => (waits ? Promise.resolve(true) : true);
          expect(Buffer.concat(await streamed(answer, ready)).toString('utf8')).toBe(JSON.stringify(answer));
          expect(Buffer.concat(await streamed(other, ready)).toString('utf8')).toBe(JSON.stringify(other));
        },
      ),
      { numRuns: 100 },
    );
  });

  /** A series of `points` states of ~`kb` kB each, sharing most of their entries. */
  function series(points: number, kb: number, tag: string) {
    const entries = Array.from({ length: kb * 10 }, (_, i) => sealEntry({ i, tag, text: 'x'.repeat(80) }));
    return {
      pair: PAIR,
      snapshots: Array.from({ length: points }, (_, i) => ({
        date: `2020-01-${String(i + 1).padStart(2, '0')}`,
        state: { rulings: entries.slice(0, entries.length - points + i), warnings: [] },
      })),
    };
  }

  it('asks whether to go on after each piece, and lets other answers be written meanwhile', async () => {
    const value = series(20, 400, 'a');
    const other = series(3, 50, 'b');
    let asked = 0;
    const pieces = await streamed(value, async () => {
      asked += 1;
      // Another answer written in one go while this one waits
      expect(Buffer.concat(sharedJson(other)).toString('utf8')).toBe(JSON.stringify(other));
      await new Promise((resolve) => setImmediate(resolve));
      return true;
    });
    expect(Buffer.concat(pieces).toString('utf8')).toBe(JSON.stringify(value));
    expect(pieces.length).toBeGreaterThan(3);
    // Once per piece handed on before the last element
    expect(asked).toBeGreaterThanOrEqual(pieces.length - 2);
    expect(asked).toBeLessThanOrEqual(pieces.length);
  });

  it('stops when told the reader went away', async () => {
    const value = series(20, 400, 'c');
    const whole = Buffer.byteLength(JSON.stringify(value));
    const pieces = await streamed(value, (count) => count < 2);
    expect(pieces).toHaveLength(2);
    expect(Buffer.concat(pieces).length).toBeLessThan(whole);
  });
});
