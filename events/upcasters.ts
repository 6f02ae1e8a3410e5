/**
 * Schema versions and upcasting. Every stored event carries the `schemaVersion` it was written
 * at and is never rewritten: the hash chain is verified on the stored form. Reading goes through
 * {@link decodeRecordedEvent}, the one codec every store uses, which lifts older shapes to the
 * current version with the named, pure upcasters below; projections only ever see the current shape.
 */
import { SCHEMA_VERSION, type RecordedEvent } from './catalogue';
import { isPlainObject } from './schemas/constraints';
import type { TalksHeldDataV0, TalksRankV0, WtoDisputeFiledDataV0 } from './legacy/v0';

/** Any stored envelope, at whatever version it was written (its other fields pass through). */
export interface VersionedEnvelope {
  schemaVersion: number;
  type: string;
  data: unknown;
}

/** An envelope after {@link upcast}: its other fields as they were, `data` in the current shape. */
export type Upcast<T extends VersionedEnvelope> = Omit<T, 'data' | 'schemaVersion'> & VersionedEnvelope;

/** A pure step from one schema version to the next, for the listed types (others pass unchanged). */
export interface Upcaster {
  /** Stable name, for logs and tests. */
  readonly name: string;
  /** The version it reads; it produces `from + 1`. */
  readonly from: number;
  readonly types: readonly string[];
  /** Returns a new envelope; never mutates its input. Only `data` (and `type`, should one be renamed) change. */
  upcast(envelope: VersionedEnvelope): VersionedEnvelope;
}

/** Stable codes of the errors {@link upcast} throws. */
export type SchemaVersionErrorCode = 'unknown-schema-version' | 'invalid-schema-version';

/**
 * A stored event this code cannot read: written by a newer release (`unknown-schema-version`), or
 * without a usable version (`invalid-schema-version`). The caller reports it; nothing is guessed.
 */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
  constructor(
    readonly code: SchemaVersionErrorCode,
    readonly schemaVersion: unknown,
  ) {
    super(
      code === 'unknown-schema-version'
        ? `schema version ${String(schemaVersion)} is newer than this release reads (${SCHEMA_VERSION})`
        : `schema version must be a whole number from 0 to ${SCHEMA_VERSION}`,
    );
  }
}

const LEVEL_OF_RANK: Readonly<Record<TalksRankV0, string>> = {
  summit: 'leader',
  ministerial: 'minister',
  'vice-ministerial': 'vice-minister',
  'director-general': 'director-general',
  'working-level': 'working',
};

/** v0 → v1: `talks-held` data `rank` (protocol rank) becomes `level` (who attended). */
export const talksHeldRankToLevel: Upcaster = {
  name: 'talks-held-rank-to-level',
  from: 0,
  types: ['talks-held'],
  upcast(envelope) {
    if (!isPlainObject(envelope.data)) return envelope;
    const { rank, ...rest } = envelope.data as unknown as TalksHeldDataV0;
    // A rank outside the frozen set is kept as written; the projection reports what it cannot read.
    const level = Object.prototype.hasOwnProperty.call(LEVEL_OF_RANK, rank) ? LEVEL_OF_RANK[rank] : rank;
    return { ...envelope, data: { level, ...rest } };
  },
};

/** v0 → v1: `wto-dispute-filed` data `dispute: 590` becomes `disputeId: 'DS590'`. */
export const wtoDisputeNumberToId: Upcaster = {
  name: 'wto-dispute-number-to-id',
  from: 0,
  types: ['wto-dispute-filed'],
  upcast(envelope) {
    if (!isPlainObject(envelope.data)) return envelope;
    const { dispute, ...rest } = envelope.data as unknown as WtoDisputeFiledDataV0;
    return { ...envelope, data: { disputeId: `DS${dispute}`, ...rest } };
  },
};

/** Every upcaster, in the order they apply. */
export const UPCASTERS: readonly Upcaster[] = [talksHeldRankToLevel, wtoDisputeNumberToId];

/**
 * The envelope lifted to {@link SCHEMA_VERSION}: each version's upcasters for its type applied in
 * turn, `schemaVersion` set to the current one. An envelope already current is returned as is.
 * @throws SchemaVersionError for a version from the future or one that is not a whole number ≥ 0.
 */
export function upcast<T extends VersionedEnvelope>(envelope: T): Upcast<T> {
  const version = envelope.schemaVersion;
  if (version === SCHEMA_VERSION) return envelope;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new SchemaVersionError('invalid-schema-version', version);
  }
  if (version > SCHEMA_VERSION) throw new SchemaVersionError('unknown-schema-version', version);
  let current: VersionedEnvelope = envelope;
  for (let from = version; from < SCHEMA_VERSION; from++) {
    for (const upcaster of UPCASTERS) {
      if (upcaster.from === from && upcaster.types.includes(current.type)) current = upcaster.upcast(current);
    }
    current = { ...current, schemaVersion: from + 1 };
  }
  return current as Upcast<T>;
}

/**
 * The read codec of every store: a stored envelope (parsed JSON) as projections see it. Stored
 * events were validated when appended, so only their version is lifted here.
 * @throws SchemaVersionError as {@link upcast}.
 */
export function decodeRecordedEvent(stored: VersionedEnvelope): RecordedEvent {
  // Append-time validation vouches for the rest of the shape; only the version can differ.
  return upcast(stored) as unknown as RecordedEvent;
}
