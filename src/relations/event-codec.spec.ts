import fc from 'fast-check';
import { streamNameOf } from '../../events/countries';
import { verifyChain } from '../../projections/hash-chain';
import { storedEventOf } from '../store/store-support';
import { streamInputs } from '../../test/support/arbitraries';
import { recordAll } from '../../test/support/recorded-events';
import { fromStored, storedForm, toNewEvent } from './event-codec';

// What a store hands back: the port event's JSON columns written and parsed again, as SQLite does.
function throughAStore(pair: 'JPN-KOR', events: ReturnType<typeof recordAll>) {
  return events.map((recorded) => {
    const event = toNewEvent(recorded);
    return storedEventOf(
      streamNameOf(pair),
      recorded.revision,
      BigInt(recorded.revision + 1),
      event.id,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata),
    );
  });
}

describe('event codec', () => {
  it('gives back every recorded event exactly, with its hash chain intact, after a store round trip', () => {
    fc.assert(
      fc.property(streamInputs, (inputs) => {
        // Given events recorded as the service records them
        const recorded = recordAll('JPN-KOR', inputs);
        // When they are stored and read back
        const stored = throughAStore('JPN-KOR', recorded);
        const read = stored.map(storedForm);
        // Then the stored form is the recorded event, and the chain verifies on it
        expect(JSON.parse(JSON.stringify(read))).toEqual(JSON.parse(JSON.stringify(recorded)));
        expect(verifyChain(read)).toEqual({ valid: true, checked: recorded.length });
        expect(stored.map(fromStored)).toEqual(read);
      }),
      { numRuns: 50 },
    );
  });

  it('leaves the store event untouched when building the recorded event', () => {
    // Given one stored event
    const [stored] = throughAStore('JPN-KOR', recordAll('JPN-KOR', [{ ...streamFirst() }]));
    const before = JSON.stringify(stored!.data);
    // When it is decoded and the result changed
    const event = storedForm(stored!) as unknown as Record<string, unknown>;
    event.summary = 'changed';
    // Then the store's data object is not the event and did not change
    expect(event).not.toBe(stored!.data);
    expect(JSON.stringify(stored!.data)).toBe(before);
    expect(stored!.data).not.toHaveProperty('hash');
  });
});

function streamFirst() {
  return fc.sample(streamInputs, { numRuns: 1, seed: 3 })[0]![0]!;
}
