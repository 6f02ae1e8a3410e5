import {
  corrected,
  given,
  listRemoved,
  NOW,
  recordAll,
  retracted,
  tightened,
  talks,
} from '../test/support/recorded-events';
import { resolveCorrections, validateReference } from './corrections';
import { mergePatch } from './merge-patch';
import type { EventInput } from '../events/catalogue';

const PAIR = 'JPN-KOR';
const MEASURE = 'jpn-kor-semiconductor-materials-2019';

describe('corrections and retractions', () => {
  describe('merge patch (RFC 7396)', () => {
    it('merges objects, replaces arrays and scalars, removes members set to null', () => {
      expect(
        mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, { a: 9, b: { d: null, f: 4 }, e: [3] }),
      ).toEqual({
        a: 9,
        b: { c: 2, f: 4 },
        e: [3],
      });
    });

    it('replaces the target when the patch is not an object', () => {
      expect(mergePatch({ a: 1 }, ['x'])).toEqual(['x']);
    });

    it('keeps a __proto__ key as data and never changes a prototype', () => {
      const patched = mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
        string,
        unknown
      >;
      expect(Object.prototype.hasOwnProperty.call(patched, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
    });
  });

  describe('a correction', () => {
    const record = given(
      PAIR,
      tightened('JPN', '2019-07', MEASURE, ['photoresist'], { id: 't', dateEnd: '2019-08' }),
      corrected(
        't',
        {
          date: '2019-07-04',
          dateEnd: null,
          summary: 'Japan tightened controls on three materials',
          data: { items: ['photoresist', 'hydrogen fluoride'], instrument: 'METI ordinance' },
          sources: [{ publisher: 'METI', url: 'https://www.meti.go.jp/' }],
        },
        { id: 'c' },
      ),
    );

    it('is read into its target: date and summary replaced, dateEnd removed, data merged, sources replaced', () => {
      const target = resolveCorrections(record.events).byId.get('t')!;
      expect(target.effective).toMatchObject({
        date: '2019-07-04',
        summary: 'Japan tightened controls on three materials',
        data: {
          measureId: MEASURE,
          items: ['photoresist', 'hydrogen fluoride'],
          instrument: 'METI ordinance',
        },
        sources: [{ publisher: 'METI', url: 'https://www.meti.go.jp/' }],
      });
      expect(target.effective.dateEnd).toBeUndefined();
      expect(target.correctedBy).toEqual(['c']);
      expect(target.recorded.date).toBe('2019-07');
    });

    it('changes the state: the corrected items restricted since the corrected date', () => {
      const measure = record.stateOn('2019-07-04').measures.JPN!.exportControls[0]!;
      expect(measure.since).toBe('2019-07-04');
      expect(measure.items.map((i) => i.name)).toEqual(['photoresist', 'hydrogen fluoride']);
    });

    it('known at a moment before the correction, the earlier reading stands', () => {
      const beforeCorrection = record.event('t').recordedAt;
      const state = record.stateOn('2019-07-04', beforeCorrection);
      expect(state.measures.JPN!.exportControls).toEqual([]);
      expect(state.uncertain.map((u) => u.eventId)).toEqual(['t']);
    });

    it('corrections apply in revision order, the later winning', () => {
      const twice = record.and(corrected('t', { summary: 'second' }, { id: 'c2' }));
      const target = resolveCorrections(twice.events).byId.get('t')!;
      expect(target.effective.summary).toBe('second');
      expect(target.effective.date).toBe('2019-07-04');
      expect(target.correctedBy).toEqual(['c', 'c2']);
    });

    it('is stored with the defaults: the day recorded, the pair’s first country, no sources', () => {
      const correction = record.event('c');
      expect(correction).toMatchObject({
        date: record.event('c').recordedAt.slice(0, 10),
        actor: 'JPN',
        sources: [],
      });
    });
  });

  it('a correction that empties required data is read without throwing, and changes nothing it cannot', () => {
    const record = given(
      PAIR,
      tightened('JPN', '2019-07-04', MEASURE, ['photoresist'], { id: 't' }),
      corrected('t', { data: { items: null } }),
    );
    const state = record.stateOn('2019-09-30');
    expect(state.measures.JPN!.exportControls).toEqual([
      { measureId: MEASURE, since: '2019-07-04', items: [], eventIds: ['t'] },
    ]);
  });

  describe('a retraction', () => {
    const record = given(PAIR, listRemoved('JPN', '2019-08-28', { id: 'l' }), retracted('l', { id: 'r' }));

    it('makes projections ignore its target', () => {
      const state = record.stateOn('2019-09-30');
      expect(state.measures.JPN!.preferentialList.status).toBe('unknown');
      expect(state.warnings).toEqual([]);
    });

    it('marks the target retracted by it', () => {
      expect(resolveCorrections(record.events).byId.get('l')!.retractedBy).toBe('r');
    });

    it('known before the retraction, the target still counts', () => {
      expect(
        record.stateOn('2019-09-30', record.event('l').recordedAt).measures.JPN!.preferentialList.status,
      ).toBe('removed');
    });
  });

  describe('an invalid reference', () => {
    it.each([
      ['an unknown event', [retracted('nope', { id: 'bad' })]],
      [
        'a correction',
        [
          talks('JPN', '2019-07-12', 'working', { id: 't' }),
          corrected('t', { summary: 'x' }, { id: 'c' }),
          retracted('c', { id: 'bad' }),
        ],
      ],
      [
        'a retraction',
        [
          talks('JPN', '2019-07-12', 'working', { id: 't' }),
          retracted('t', { id: 'r' }),
          corrected('r', { summary: 'x' }, { id: 'bad' }),
        ],
      ],
      [
        'an already retracted event',
        [
          talks('JPN', '2019-07-12', 'working', { id: 't' }),
          retracted('t', { id: 'r' }),
          corrected('t', { summary: 'x' }, { id: 'bad' }),
        ],
      ],
    ] as [string, EventInput[]][])('naming %s is ignored with a warning', (_what, inputs) => {
      const state = given(PAIR, ...inputs).stateOn('2020-01-01');
      expect(state.warnings).toEqual([
        expect.objectContaining({ code: 'invalid-reference', eventId: 'bad' }),
      ]);
    });

    it('naming an event of another pair is ignored with a warning', () => {
      const other = recordAll('CHN-KOR', [talks('KOR', '2019-07-12', 'working', { id: 'elsewhere' })]);
      const mine = recordAll(PAIR, [retracted('elsewhere', { id: 'bad' })]);
      const resolution = resolveCorrections([...other, ...mine]);
      expect(resolution.warnings).toEqual([
        expect.objectContaining({ code: 'invalid-reference', eventId: 'bad' }),
      ]);
      expect(resolution.byId.get('elsewhere')!.retractedBy).toBeNull();
    });

    it('does not change its target', () => {
      const record = given(
        PAIR,
        talks('JPN', '2019-07-12', 'working', { id: 't' }),
        retracted('t', { id: 'r' }),
        corrected('t', { date: '2018-01-01' }, { id: 'bad' }),
      );
      expect(resolveCorrections(record.events).byId.get('t')!.effective.date).toBe('2019-07-12');
    });
  });

  describe('validateReference for the append path', () => {
    const existing = recordAll(PAIR, [
      talks('JPN', '2019-07-12', 'working', { id: 't' }),
      corrected('t', { summary: 'x' }, { id: 'c' }),
      talks('JPN', '2019-08-12', 'working', { id: 'gone' }),
      retracted('gone', { id: 'r' }),
    ]);
    const elsewhere = recordAll('CHN-KOR', [talks('KOR', '2019-07-12', 'working', { id: 'cn' })]);

    it('accepts a reference to a standing event, and any event that is not a reference', () => {
      expect(validateReference(existing, retracted('t'), PAIR)).toBeNull();
      expect(validateReference(existing, talks('JPN', '2019-01-01', 'working'), PAIR)).toBeNull();
    });

    it.each([
      ['nope', 'not recorded'],
      ['c', 'itself a correction or retraction'],
      ['r', 'itself a correction or retraction'],
      ['gone', 'already retracted (by r)'],
      ['cn', 'belongs to pair CHN-KOR'],
    ])('refuses a reference to %s: %s', (target, reason) => {
      expect(
        validateReference([...existing, ...elsewhere], corrected(target, { summary: 'y' }), PAIR),
      ).toContain(reason);
    });
  });

  it('builders record at NOW or earlier', () => {
    expect(given(PAIR, talks('JPN', '2019-01-01', 'working')).events[0]!.recordedAt < NOW).toBe(true);
  });
});
