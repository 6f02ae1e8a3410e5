/**
 * FROZEN: the shapes of schema version 0, as recorded by the pre-release service. Stored events of
 * this version are never rewritten; `upcasters.ts` reads them as version 1. Never edit these
 * types: they describe data that already exists.
 */

/** Version 0 named the level of talks by protocol rank rather than by who attended. */
export type TalksRankV0 =
  'summit' | 'ministerial' | 'vice-ministerial' | 'director-general' | 'working-level';

/** `talks-held` data at version 0: `rank` where version 1 has `level`. */
export interface TalksHeldDataV0 {
  rank: TalksRankV0;
  format?: 'in-person' | 'video' | 'phone';
  forum?: string;
  outcome?: string;
}

/** `wto-dispute-filed` data at version 0: the bare dispute number where version 1 has `disputeId: 'DS590'`. */
export interface WtoDisputeFiledDataV0 {
  dispute: number;
  title?: string;
}

/** The stored envelope at version 0; every field but `data` is as in version 1. */
interface StoredEnvelopeBaseV0 {
  id: string;
  pair: string;
  revision: number;
  date: string;
  dateEnd?: string;
  actor: string;
  summary: string;
  sources: Array<{ publisher: string; url?: string; title?: string; publishedOn?: string; quote?: string }>;
  note?: string;
  recordedAt: string;
  recordedBy: string;
  schemaVersion: 0;
  prevHash: string;
  hash: string;
}

/** A recorded event of a type whose shape changed after version 0. */
export type RecordedEventV0 =
  | (StoredEnvelopeBaseV0 & { type: 'talks-held'; data: TalksHeldDataV0 })
  | (StoredEnvelopeBaseV0 & { type: 'wto-dispute-filed'; data: WtoDisputeFiledDataV0 });
