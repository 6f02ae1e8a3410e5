import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH, SCHEMA_VERSION, type RecordedEvent } from './catalogue';
import { V0_RECORDED_EVENTS } from './legacy/v0.fixture';
import { parseImportLine } from './parse-event';
import {
  decodeRecordedEvent,
  SchemaVersionError,
  upcast,
  UPCASTERS,
  type VersionedEnvelope,
} from './upcasters';

/** The chain hash as domain.md defines it: SHA-256 of the RFC 8785 form without `hash`. */
function hashOf(stored: Record<string, unknown>): string {
  const { hash: _hash, ...envelope } = stored;
  return createHash('sha256').update(canonicalize(envelope)!).digest('hex');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

type Stored = VersionedEnvelope & Record<string, unknown>;
const stored = (): Stored[] => deepFreeze(structuredClone(V0_RECORDED_EVENTS) as unknown as Stored[]);

describe('the frozen schema-version-0 fixture', () => {
  it('still verifies: stored events are never rewritten, the chain covers the stored form', () => {
    let previous = GENESIS_HASH;
    for (const event of V0_RECORDED_EVENTS) {
      expect(event.prevHash).toBe(previous);
      expect(hashOf(event as unknown as Record<string, unknown>)).toBe(event.hash);
      previous = event.hash;
    }
  });
});

describe('upcast', () => {
  it("reads talks-held's rank as level: summit is leader, director-general stays", () => {
    const [, dialogue, summit] = stored().map(upcast);
    expect(dialogue!.data).toEqual({
      level: 'director-general',
      format: 'in-person',
      forum: 'Export control policy dialogue',
    });
    expect(summit!.data).toMatchObject({ level: 'leader' });
    expect(summit!.data).not.toHaveProperty('rank');
  });

  it("reads wto-dispute-filed's dispute number 590 as disputeId DS590", () => {
    const [filed] = stored().map(upcast);
    expect(filed!.data).toEqual({
      disputeId: 'DS590',
      title: 'Japan — Measures related to the exportation of products and technology to Korea',
    });
  });

  it('sets the current schema version and leaves every other field, hash included, as stored', () => {
    for (const event of stored()) {
      const { data: _before, schemaVersion: _v0, ...rest } = event;
      const { data: _after, schemaVersion, ...upcastRest } = upcast(event);
      expect(schemaVersion).toBe(SCHEMA_VERSION);
      expect(upcastRest).toEqual(rest);
    }
  });

  it('gives events that pass the data checks of parseEvent', () => {
    for (const event of stored()) {
      const result = parseImportLine(upcast(event));
      expect(result).toMatchObject({
        ok: true,
        value: { pair: 'JPN-KOR', event: { id: event.id, type: event.type } },
      });
    }
  });

  it('never mutates the stored envelope (the fixture is deep-frozen)', () => {
    const events = stored();
    const before = JSON.stringify(events);
    events.forEach((event) => upcast(event));
    expect(JSON.stringify(events)).toBe(before);
  });

  it('returns an event of the current version as it is, without copying it', () => {
    const current = { schemaVersion: SCHEMA_VERSION, type: 'talks-held', data: { level: 'leader' } };
    expect(upcast(current)).toBe(current);
  });

  it('passes types no upcaster concerns through unchanged but for the version', () => {
    const old = {
      schemaVersion: 0,
      type: 'agreement-signed',
      data: { agreementId: 'gsomia', name: 'GSOMIA' },
    };
    expect(upcast(old)).toEqual({ ...old, schemaVersion: SCHEMA_VERSION });
  });

  it('refuses a version from the future with the stable code unknown-schema-version', () => {
    const future = { schemaVersion: SCHEMA_VERSION + 1, type: 'talks-held', data: {} };
    expect(() => upcast(future)).toThrow(SchemaVersionError);
    expect(() => upcast(future)).toThrow(
      expect.objectContaining({ code: 'unknown-schema-version', schemaVersion: 2 }),
    );
  });

  it.each([[-1], [0.5], ['1'], [null]])(
    'refuses the version %p with the code invalid-schema-version',
    (version) => {
      const odd = { schemaVersion: version as number, type: 'talks-held', data: {} };
      expect(() => upcast(odd)).toThrow(expect.objectContaining({ code: 'invalid-schema-version' }));
    },
  );

  it('keeps version-0 data it cannot read as stored rather than throwing', () => {
    const odd = { schemaVersion: 0, type: 'talks-held', data: null };
    expect(upcast(odd)).toEqual({ ...odd, schemaVersion: SCHEMA_VERSION });
  });

  it('names every upcaster uniquely and only for versions before the current one', () => {
    const names = UPCASTERS.map((upcaster) => upcaster.name);
    expect(new Set(names).size).toBe(names.length);
    expect(UPCASTERS.every((upcaster) => upcaster.from >= 0 && upcaster.from < SCHEMA_VERSION)).toBe(true);
  });
});

describe('decodeRecordedEvent', () => {
  it('is the read codec: a stored version-0 event comes out in the current shape', () => {
    const event: RecordedEvent = decodeRecordedEvent(stored()[2]!);
    expect(event.type === 'talks-held' && event.data.level).toBe('leader');
    expect(event.schemaVersion).toBe(SCHEMA_VERSION);
  });
});
