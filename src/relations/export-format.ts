import type { RecordedEvent } from '../../events/catalogue';

/**
 * Export formats. NDJSON writes each event as the import format expects it (`pair`, `id` and the
 * client-supplied fields), so `relations import` of an export stores nothing twice and a new store
 * fed with it rebuilds the same record. CSV is for spreadsheets: one row per event as recorded.
 */

const IMPORT_FIELDS = [
  'pair',
  'id',
  'type',
  'date',
  'dateEnd',
  'actor',
  'summary',
  'data',
  'sources',
  'note',
] as const;

/** One import line per event, in revision order. */
export function exportNdjson(events: readonly RecordedEvent[]): string {
  return events
    .map((event) => {
      const line: Record<string, unknown> = {};
      for (const field of IMPORT_FIELDS) {
        const value = (event as unknown as Record<string, unknown>)[field];
        if (value !== undefined) line[field] = value;
      }
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

const CSV_COLUMNS = [
  'revision',
  'id',
  'type',
  'date',
  'dateEnd',
  'actor',
  'summary',
  'data',
  'sources',
  'note',
  'recordedAt',
  'recordedBy',
  'hash',
] as const;

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling its quotes. */
export function csvField(value: unknown): string {
  const text =
    value === undefined || value === null
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row, then one row per event; `data` and `sources` as JSON; CRLF line ends. */
export function exportCsv(events: readonly RecordedEvent[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const event of events) {
    const record = event as unknown as Record<string, unknown>;
    rows.push(CSV_COLUMNS.map((column) => csvField(record[column])).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
