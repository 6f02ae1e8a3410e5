import fc from 'fast-check';
import { day, intervalsDistinct, shuffleKeepingReferences, streamInputs } from '../test/support/arbitraries';
import { NOW, recordAll } from '../test/support/recorded-events';
import { verifyChain } from './hash-chain';
import { stateAt } from './state';
import type { RelationState } from './state.types';
import { warningKey } from './warnings';

const PAIR = 'JPN-KOR';

/** Reference warnings come in revision order; their set, not their order, is what is asserted. */
function comparable(state: RelationState): RelationState {
  return { ...state, warnings: [...state.warnings].sort((a, b) => (warningKey(a) < warningKey(b) ? -1 : 1)) };
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
