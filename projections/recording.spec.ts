import fc from 'fast-check';
import { GENESIS_HASH } from '../events/catalogue';
import { development } from '../test/support/arbitraries';
import { computeHash } from './hash-chain';
import { recordEnvelope } from './recording';

const CONTEXT = {
  revision: 0,
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'test',
  prevHash: GENESIS_HASH,
};

/** Every path of object members holding `undefined`, at any depth. */
function undefinedPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, i) => undefinedPaths(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, member]) =>
    member === undefined ? [`${path}.${key}`] : undefinedPaths(member, `${path}.${key}`),
  );
}

/** The input with `undefined` members added at the top, in `data` and in each source. */
function withUndefinedMembers<T extends object>(input: T): T {
  const dirty = { ...input, note: undefined, dateEnd: undefined } as Record<string, unknown>;
  if (dirty.data && typeof dirty.data === 'object') dirty.data = { ...dirty.data, extra: undefined };
  if (Array.isArray(dirty.sources))
    dirty.sources = dirty.sources.map((source: object) => ({ ...source, archivedAt: undefined }));
  return dirty as T;
}

describe('recordEnvelope', () => {
  it('records a clean input and the same input with undefined members as the same event and hash', () => {
    fc.assert(
      fc.property(development, (input) => {
        // Given a clean input, and the same with undefined members where JSON would drop them
        const clean = {
          ...input,
          dateEnd: undefined,
          note: undefined,
          id: '5d2c1e8a-0f3b-4c7d-9e6a-1b2c3d4e5f60',
        };
        const cleanInput = JSON.parse(JSON.stringify(clean)) as typeof clean;
        // When both are recorded
        const fromClean = recordEnvelope('JPN-KOR', cleanInput, CONTEXT);
        const fromDirty = recordEnvelope('JPN-KOR', withUndefinedMembers(cleanInput), CONTEXT);
        // Then neither holds an undefined member, and their content and hash agree with a fresh hash
        expect(undefinedPaths(fromClean)).toEqual([]);
        expect(undefinedPaths(fromDirty)).toEqual([]);
        expect(JSON.stringify(fromDirty)).toBe(JSON.stringify(fromClean));
        expect(fromClean.hash).toBe(computeHash(JSON.parse(JSON.stringify(fromClean)) as typeof fromClean));
      }),
      { numRuns: 200 },
    );
  });
});
