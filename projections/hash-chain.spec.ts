import fc from 'fast-check';
import { GENESIS_HASH, type RecordedEvent } from '../events/catalogue';
import {
  corrected,
  listRemoved,
  recordAll,
  retracted,
  talks,
  tightened,
} from '../test/support/recorded-events';
import { computeHash, verifyChain } from './hash-chain';
import { recordEnvelope } from './recording';

const PAIR = 'JPN-KOR';
const stream = (): RecordedEvent[] =>
  recordAll(PAIR, [
    tightened('JPN', '2019-07-04', 'm', ['photoresist'], { id: 'a' }),
    listRemoved('JPN', '2019-08-28', { id: 'b', note: 'cabinet order' }),
    talks('KOR', '2019-12-16', 'director-general', { id: 'c', format: 'video' }),
    corrected('a', { data: { items: ['photoresist', 'hydrogen fluoride'] } }, { id: 'd' }),
    retracted('c', { id: 'e' }),
  ]);

describe('recording and the hash chain', () => {
  describe('recordEnvelope', () => {
    it('sets the server fields and a hash of the canonical envelope', () => {
      const event = recordEnvelope(
        PAIR,
        { id: 'x', ...talks('JPN', '2019-07-12', 'working') },
        { revision: 0, recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'alice', prevHash: GENESIS_HASH },
      );
      expect(event).toMatchObject({
        id: 'x',
        pair: PAIR,
        revision: 0,
        recordedAt: '2026-01-01T00:00:00.000Z',
        recordedBy: 'alice',
        schemaVersion: 1,
        prevHash: GENESIS_HASH,
      });
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(event.hash).toBe(computeHash(event));
    });

    it('leaves out undefined members, so the hash survives a JSON round trip', () => {
      const event = recordEnvelope(
        PAIR,
        { id: 'x', ...talks('JPN', '2019-07-12', 'working'), note: undefined, dateEnd: undefined },
        { revision: 0, recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'alice', prevHash: GENESIS_HASH },
      );
      expect('note' in event).toBe(false);
      const roundTripped = JSON.parse(JSON.stringify(event)) as RecordedEvent;
      expect(computeHash(roundTripped)).toBe(event.hash);
    });

    it('fills a correction’s date with the UTC day recorded, its actor with the pair’s first country, no sources', () => {
      const event = recordEnvelope(
        'KOR-USA',
        { id: 'c', ...retracted('x') },
        { revision: 3, recordedAt: '2026-03-01T23:59:59.999Z', recordedBy: 'bob', prevHash: 'f'.repeat(64) },
      );
      expect(event).toMatchObject({ date: '2026-03-01', actor: 'KOR', sources: [] });
    });

    it('refuses to record a development without a date', () => {
      const input = { id: 'x', ...talks('JPN', '2019-07-12', 'working') };
      delete (input as { date?: string }).date;
      expect(() =>
        recordEnvelope(PAIR, input, {
          revision: 0,
          recordedAt: '2026-01-01T00:00:00.000Z',
          recordedBy: 'alice',
          prevHash: GENESIS_HASH,
        }),
      ).toThrow(TypeError);
    });

    it('hashes the same content to the same value whatever the key order', () => {
      const event = stream()[1]!;
      const reordered = Object.fromEntries(Object.entries(event).reverse()) as RecordedEvent;
      expect(computeHash(reordered)).toBe(event.hash);
    });
  });

  describe('verifyChain', () => {
    it('accepts an intact stream and says how many events it checked', () => {
      expect(verifyChain(stream())).toEqual({ valid: true, checked: 5 });
      expect(verifyChain([])).toEqual({ valid: true, checked: 0 });
    });

    it('names the revision whose content was changed', () => {
      const events = stream();
      events[2] = { ...events[2]!, summary: 'edited' };
      expect(verifyChain(events)).toEqual({
        valid: false,
        firstInvalidRevision: 2,
        reason: expect.stringContaining('hash does not match'),
      });
    });

    it('names a revision whose content and hash were both rewritten, through the next prevHash', () => {
      const events = stream();
      const edited = { ...events[1]!, summary: 'edited' };
      events[1] = { ...edited, hash: computeHash(edited) };
      expect(verifyChain(events)).toEqual({
        valid: false,
        firstInvalidRevision: 2,
        reason: 'prevHash does not match the hash of revision 1',
      });
    });

    it('names a missing revision', () => {
      const events = stream();
      events.splice(3, 1);
      expect(verifyChain(events)).toEqual({
        valid: false,
        firstInvalidRevision: 3,
        reason: 'expected revision 3 here, found 4',
      });
    });

    it('requires 64 zeros before revision 0', () => {
      const events = stream();
      const first = { ...events[0]!, prevHash: 'a'.repeat(64) };
      events[0] = { ...first, hash: computeHash(first) };
      expect(verifyChain(events)).toMatchObject({ valid: false, firstInvalidRevision: 0 });
    });

    it('detects any single change to any stored field (property)', () => {
      const events = stream();
      const fields = [
        'id',
        'pair',
        'revision',
        'type',
        'date',
        'actor',
        'summary',
        'recordedAt',
        'recordedBy',
        'schemaVersion',
        'prevHash',
        'hash',
        'data',
        'sources',
      ] as const;
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: events.length - 1 }),
          fc.constantFrom(...fields),
          fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string())),
          (index, field, value) => {
            const original = events[index]!;
            fc.pre(JSON.stringify(original[field]) !== JSON.stringify(value));
            const tampered = [...events];
            tampered[index] = { ...original, [field]: value } as RecordedEvent;
            const result = verifyChain(tampered);
            return (
              result.valid === false &&
              result.firstInvalidRevision <= index + 1 &&
              result.firstInvalidRevision >= index
            );
          },
        ),
        { numRuns: 200 },
      );
    });

    it('detects a change deep inside data or sources (property)', () => {
      const events = stream();
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: events.length - 1 }),
          fc.string({ minLength: 1 }),
          (index, text) => {
            const original = events[index]!;
            const tampered = [...events];
            tampered[index] = {
              ...original,
              sources: [...original.sources, { publisher: text }],
            } as RecordedEvent;
            const result = verifyChain(tampered);
            return result.valid === false && result.firstInvalidRevision === index;
          },
        ),
        { numRuns: 100 },
      );
    });
  });
});
