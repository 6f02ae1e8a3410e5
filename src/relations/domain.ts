/**
 * The pure core as the application uses it: one place that names what `src/` takes from
 * `events/` and `projections/`.
 */
export { parseEvent, parseImportLine } from '../../events/parse-event';
export { recordEnvelope } from '../../projections/recording';
export { verifyChain, type ChainVerification } from '../../projections/hash-chain';
export type { RelationState } from '../../projections/state.types';
export type { Warning } from '../../projections/warnings';
export { stateAt } from '../../projections/state';
export { snapshotsAt, dateSeries, type Snapshot as RelationSnapshot } from '../../projections/snapshots';
export { timeline } from '../../projections/timeline';
export { auditPage } from '../../projections/audit';
export { changesBetween } from '../../projections/changes';
export { eventView } from '../../projections/event-view';
export { validateReference } from '../../projections/corrections';
export { appendWarnings, END_OF_TIME_QUESTION, endOfTimeWarnings } from '../../projections/append-warnings';
