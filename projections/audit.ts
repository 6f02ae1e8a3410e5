/** Audit: the pair's events in append order exactly as recorded, with the chain fields. */
import type { PartialDate, RecordedEvent } from '../events/catalogue';

/** One audit line. */
export interface AuditEntry {
  revision: number;
  id: string;
  type: RecordedEvent['type'];
  date: PartialDate;
  recordedAt: string;
  recordedBy: string;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The revision to ask for next, `null` when this page reached the end. */
  nextRevision: number | null;
}

export function auditEntry(event: RecordedEvent): AuditEntry {
  return {
    revision: event.revision,
    id: event.id,
    type: event.type,
    date: event.date,
    recordedAt: event.recordedAt,
    recordedBy: event.recordedBy,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

/** Entries from `fromRevision` (default 0), at most `limit` (default 1000), in revision order. */
export function auditPage(
  events: readonly RecordedEvent[],
  opts: { fromRevision?: number; limit?: number } = {},
): AuditPage {
  const from = opts.fromRevision ?? 0;
  const limit = opts.limit ?? 1000;
  const selected = events.filter((e) => e.revision >= from).sort((a, b) => a.revision - b.revision);
  const page = selected.slice(0, limit);
  const last = page[page.length - 1];
  return {
    entries: page.map(auditEntry),
    nextRevision: selected.length > limit && last !== undefined ? last.revision + 1 : null,
  };
}
