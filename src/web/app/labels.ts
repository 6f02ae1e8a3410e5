/**
 * Words for the record: lanes of the timeline, event types and statuses in plain English.
 */
import type { EventType } from '../../../events/catalogue';

/** A lane of the timeline: which event types it holds. */
export interface Lane {
  id: string;
  label: string;
  matches(type: string): boolean;
}

export const LANES: readonly Lane[] = [
  { id: 'export', label: 'Export controls', matches: (t) => t.startsWith('export-control-') },
  {
    id: 'tariffs',
    label: 'Tariffs and sanctions',
    matches: (t) => t.startsWith('tariff-') || t.startsWith('sanctions-'),
  },
  { id: 'lists', label: 'Preferential lists', matches: (t) => t.startsWith('preferential-list-') },
  { id: 'agreements', label: 'Agreements', matches: (t) => t.startsWith('agreement-') },
  { id: 'disputes', label: 'Disputes', matches: (t) => t.startsWith('wto-dispute-') },
  { id: 'courts', label: 'Courts', matches: (t) => t === 'court-ruling' },
  { id: 'talks', label: 'Talks', matches: (t) => t === 'talks-held' },
  { id: 'other', label: 'Other and corrections', matches: () => true },
];

/** The lane an event type is drawn in (the last lane takes everything else). */
export function laneOf(type: string): Lane {
  return LANES.find((lane) => lane.matches(type)) ?? (LANES[LANES.length - 1] as Lane);
}

const TYPE_LABELS: Record<EventType, string> = {
  'court-ruling': 'Court ruling',
  'export-control-tightened': 'Export controls tightened',
  'export-control-eased': 'Export controls eased',
  'export-control-lifted': 'Export controls lifted',
  'tariff-imposed': 'Tariff imposed',
  'tariff-lifted': 'Tariff lifted',
  'sanctions-imposed': 'Sanctions imposed',
  'sanctions-lifted': 'Sanctions lifted',
  'preferential-list-removed': 'Removed from preferential list',
  'preferential-list-restored': 'Restored to preferential list',
  'agreement-signed': 'Agreement signed',
  'agreement-termination-notified': 'Agreement termination notified',
  'agreement-termination-suspended': 'Agreement termination suspended',
  'agreement-normalised': 'Agreement normalised',
  'agreement-terminated': 'Agreement terminated',
  'wto-dispute-filed': 'WTO dispute filed',
  'wto-dispute-stage-reached': 'WTO dispute stage reached',
  'wto-dispute-suspended': 'WTO dispute suspended',
  'wto-dispute-resumed': 'WTO dispute resumed',
  'wto-dispute-withdrawn': 'WTO dispute withdrawn',
  'talks-held': 'Talks held',
  'other-development': 'Other development',
  'event-corrected': 'Correction',
  'event-retracted': 'Retraction',
};

/** A type's label; an unknown type (a newer server) is shown as its name. */
export function typeLabel(type: string): string {
  return (TYPE_LABELS as Record<string, string>)[type] ?? type;
}

/** A kebab-case status in words: `termination-notified` → `termination notified`. */
export function words(value: string): string {
  return value.replace(/-/g, ' ');
}

/** How precise a reduced-precision date is, in words. */
export function precisionWords(date: string): string {
  return date.length === 4 ? 'year' : date.length === 7 ? 'month' : 'day';
}

/** Badge tone of a status: restrictive ones stand out. */
export function tone(status: string): 'bad' | 'warn' | 'good' | 'neutral' {
  if (['removed', 'terminated', 'termination-notified', 'restricted'].includes(status)) return 'bad';
  if (['termination-suspended', 'eased', 'suspended', 'consultations'].includes(status)) return 'warn';
  if (['listed', 'in-force', 'withdrawn', 'adopted'].includes(status)) return 'good';
  return 'neutral';
}
