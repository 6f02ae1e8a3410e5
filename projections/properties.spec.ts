import fc from 'fast-check';
import { day, intervalsDistinct, shuffleKeepingReferences, streamInputs } from '../test/support/arbitraries';
import type { RecordedEvent } from '../events/catalogue';
import {
  agreementNormalised,
  agreementSigned,
  agreementTerminated,
  disputeFiled,
  disputeResumed,
  disputeSuspended,
  disputeWithdrawn,
  eased,
  lifted,
  listRemoved,
  listRestored,
  NOW,
  recordAll,
  ruling,
  sanctionsImposed,
  sanctionsLifted,
  stageReached,
  talks,
  tariffImposed,
  tariffLifted,
  terminationNotified,
  terminationSuspended,
  tightened,
} from '../test/support/recorded-events';
import { sharedJson } from './entry-text';
import { verifyChain } from './hash-chain';
import { snapshotsAt } from './snapshots';
import { stateAt } from './state';
import type { RelationState } from './state.types';
import { warningKey } from './warnings';

const PAIR = 'JPN-KOR';

/** Reference warnings come in revision order; their set, not their order, is what is asserted. */
function comparable(state: RelationState): RelationState {
  return { ...state, warnings: [...state.warnings].sort((a, b) => (warningKey(a) < warningKey(b) ? -1 : 1)) };
}

/**
 * The fold takes the entry an event made before from the same entry (see `sealFrom` in
 * `state.ts`). The same event objects folded at `dates`, in their stream and in the stream without
 * each one of the others in turn (so onto other entries: a talk fewer before them, a measure never
 * tightened…), must give what a fold of fresh copies gives (nothing made before), value and written
 * bytes alike.
 */
function expectReuseExact(events: RecordedEvent[], dates: string[]): void {
  const streams = [events, ...events.map((_, left) => events.filter((_, i) => i !== left))];
  for (const stream of streams) snapshotsAt(stream, { pair: PAIR, dates, knownAt: NOW });
  for (const stream of [...streams].reverse()) {
    for (const asOf of dates) {
      const again = stateAt(stream, { pair: PAIR, asOf, knownAt: NOW });
      const fresh = stateAt(structuredClone(stream), { pair: PAIR, asOf, knownAt: NOW });
      expect(again).toEqual(fresh);
      expect(Buffer.concat(sharedJson(again)).toString()).toBe(JSON.stringify(fresh));
    }
  }
}

describe('properties of the state', () => {
  it('as known now does not depend on the order in which the same events were appended', () => {
    // Events sharing an interval are folded by revision (domain.md), so the generated ones differ.
    fc.assert(
      fc.property(
        streamInputs.filter(intervalsDistinct),
        fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
        day,
        (inputs, keys, asOf) => {
          const appended = recordAll(PAIR, inputs);
          const reordered = recordAll(PAIR, shuffleKeepingReferences(inputs, keys), {
            start: '2027-06-01T00:00:00.000Z',
          });
          expect(verifyChain(reordered)).toEqual({ valid: true, checked: inputs.length });
          const a = stateAt(appended, { pair: PAIR, asOf, knownAt: NOW });
          const b = stateAt(reordered, { pair: PAIR, asOf, knownAt: NOW });
          expect(comparable(b)).toEqual(comparable(a));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('known at an earlier moment reproduces exactly the answer given at that moment', () => {
    fc.assert(
      fc.property(streamInputs, fc.nat(), day, (inputs, cut, asOf) => {
        const events = recordAll(PAIR, inputs);
        const k = cut % events.length;
        // The answer given then, when the stream ended at revision k, "now" being 1 ms later.
        const then = new Date(Date.parse(events[k]!.recordedAt) + 1).toISOString();
        const answeredThen = stateAt(events.slice(0, k + 1), { pair: PAIR, asOf, knownAt: then });
        expect(stateAt(events, { pair: PAIR, asOf, knownAt: then })).toEqual(answeredThen);
      }),
      { numRuns: 150 },
    );
  });

  it('reuses the entries an event made before only where they are equal to new ones', () => {
    fc.assert(
      fc.property(streamInputs, fc.array(day, { minLength: 1, maxLength: 3 }), (inputs, dates) =>
        expectReuseExact(recordAll(PAIR, inputs), dates),
      ),
      { numRuns: 100 },
    );
    // Random streams seldom hold two talks or two changes of one measure: one stream that does,
    // each kind of event twice or more on the same subject.
    const rich = [
      ruling('KOR', '2018-10-30'),
      ruling('KOR', '2018-11-29'),
      tightened('JPN', '2019-07-04', 'm1', ['a', 'b']),
      tightened('JPN', '2019-08-07', 'm1', ['c']),
      eased('JPN', '2019-12-20', 'm1', ['a']),
      eased('JPN', '2020-01-20', 'm1', ['b', 'x']),
      lifted('JPN', '2023-03-16', 'm1', ['a']),
      lifted('JPN', '2023-04-16', 'm1'),
      tariffImposed('KOR', '2019-04-01', 't1', ['wire'], '5%'),
      tariffImposed('KOR', '2019-05-01', 't1', ['steel'], '10%'),
      tariffImposed('KOR', '2019-06-01', 't1', ['steel', 'pipes'], '25%'),
      tariffLifted('KOR', '2019-09-01', 't1', ['steel']),
      tariffLifted('KOR', '2019-10-01', 't1'),
      sanctionsImposed('JPN', '2019-04-02', 's1', ['fund'], 'freeze'),
      sanctionsImposed('JPN', '2019-05-02', 's1', ['bank'], 'freeze'),
      sanctionsImposed('JPN', '2019-06-02', 's1', ['bank', 'firm'], 'ban'),
      sanctionsLifted('JPN', '2019-09-02', 's1', ['bank']),
      sanctionsLifted('JPN', '2019-10-02', 's1'),
      listRemoved('JPN', '2019-08-28'),
      listRemoved('JPN', '2019-09-28'),
      listRestored('JPN', '2023-07-21'),
      agreementSigned('KOR', '2016-11-23', 'g', 'GSOMIA'),
      terminationNotified('KOR', '2019-08-23', 'g', '2019-11-23'),
      terminationSuspended('KOR', '2019-11-22', 'g'),
      terminationSuspended('KOR', '2019-11-25', 'g'),
      agreementNormalised('KOR', '2023-03-21', 'g'),
      agreementTerminated('KOR', '2023-04-21', 'g'),
      disputeFiled('KOR', '2019-09-11', 'DS590'),
      stageReached('KOR', '2020-07-29', 'DS590', 'panel-established'),
      disputeSuspended('KOR', '2020-08-01', 'DS590'),
      disputeSuspended('KOR', '2020-09-01', 'DS590'),
      disputeResumed('KOR', '2020-10-01', 'DS590'),
      disputeWithdrawn('KOR', '2023-03-23', 'DS590'),
      talks('JPN', '2019-12-24', 'leader'),
      talks('KOR', '2020-12-24', 'minister'),
      talks('JPN', '2023-03-16', 'leader'),
    ];
    expectReuseExact(recordAll(PAIR, rich), [
      '2019-09-15',
      '2019-11-30',
      '2020-12-31',
      '2023-04-01',
      '2024-01-01',
    ]);
  });

  it('never throws on a recorded fact, and keeps both countries and plain JSON', () => {
    fc.assert(
      fc.property(streamInputs, day, (inputs, asOf) => {
        const state = stateAt(recordAll(PAIR, inputs), { pair: PAIR, asOf, knownAt: NOW });
        expect(Object.keys(state.measures).sort()).toEqual(['JPN', 'KOR']);
        expect(JSON.parse(JSON.stringify(state))).toEqual(state);
      }),
      { numRuns: 150 },
    );
  });
});
