/**
 * Reads a whole pair through the public API, following the pagination: the audit trail (revision
 * order, with hashes) and the timeline (with summaries). Used to compare what a server holds with
 * what clients were told.
 */
import { json, jsonRequest } from './http-client';

/** One audit entry as `GET …/audit` lists it. */
export interface AuditEntry {
  revision: number;
  id: string;
  type: string;
  date: string;
  recordedAt: string;
  recordedBy: string;
  prevHash: string;
  hash: string;
}

export async function readAudit(baseUrl: string, pair: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let from = 0;
  for (;;) {
    const response = await jsonRequest(
      baseUrl,
      'GET',
      `/api/relations/${pair}/audit?fromRevision=${from}&limit=1000`,
    );
    if (response.status === 404) return entries;
    if (response.status !== 200)
      throw new Error(`audit of ${pair}: ${response.status} ${response.body.toString('utf8')}`);
    const page = json<{ entries: AuditEntry[]; nextRevision: number | null }>(response);
    entries.push(...page.entries);
    if (page.entries.length === 0 || page.nextRevision === null || page.nextRevision === undefined)
      return entries;
    from = page.nextRevision;
  }
}

/** An event as the timeline lists it (only what these tests look at). */
export interface TimelineEvent {
  id: string;
  summary?: string;
  note?: string;
  [field: string]: unknown;
}

export async function readTimeline(baseUrl: string, pair: string): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const query = `limit=1000${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await jsonRequest(baseUrl, 'GET', `/api/relations/${pair}/events?${query}`);
    if (response.status === 404) return events;
    if (response.status !== 200)
      throw new Error(`timeline of ${pair}: ${response.status} ${response.body.toString('utf8')}`);
    const page = json<{ events: TimelineEvent[]; nextCursor: string | null }>(response);
    events.push(...page.events);
    if (page.events.length === 0 || page.nextCursor === null || page.nextCursor === undefined) return events;
    cursor = page.nextCursor;
  }
}

/** `GET …/audit/verify`. */
export async function verifyChain(
  baseUrl: string,
  pair: string,
): Promise<{ valid: boolean; checked?: number; firstInvalidRevision?: number; reason?: string }> {
  const response = await jsonRequest(baseUrl, 'GET', `/api/relations/${pair}/audit/verify`);
  if (response.status !== 200)
    throw new Error(`verify of ${pair}: ${response.status} ${response.body.toString('utf8')}`);
  return json(response);
}
