/**
 * One minimal and one full `data` per event type, from the Japan–Korea record: the minimal one
 * holds exactly the required fields, the full one every field of the catalogue. Tests build on
 * them; the API may show them as examples.
 */
import type { EventDataMap, EventType } from './catalogue';

/** The smallest and the fullest valid `data` of one type. */
export interface DataExamples<K extends EventType> {
  minimal: EventDataMap[K];
  full: Required<EventDataMap[K]>;
}

const DS590 = 'DS590';
const TARGET = '5b0c7a4e-2f1d-4c8e-9a6b-3d2e1f0a9b8c';

export const DATA_EXAMPLES: { readonly [K in EventType]: DataExamples<K> } = {
  'court-ruling': {
    minimal: {
      court: 'Supreme Court of Korea',
      holding: 'Nippon Steel must compensate four wartime workers.',
    },
    full: {
      court: 'Supreme Court of Korea',
      holding: 'Nippon Steel must compensate four wartime workers.',
      caseId: '2013Da61381',
      defendants: ['Nippon Steel & Sumitomo Metal'],
    },
  },
  'export-control-tightened': {
    minimal: { measureId: 'jpn-kor-semiconductor-materials-2019', items: ['photoresist'] },
    full: {
      measureId: 'jpn-kor-semiconductor-materials-2019',
      items: ['photoresist', 'hydrogen fluoride', 'fluorinated polyimide'],
      instrument: 'Individual export licences under the Foreign Exchange and Foreign Trade Act',
      phase: 'effective',
    },
  },
  'export-control-eased': {
    minimal: { measureId: 'jpn-kor-semiconductor-materials-2019' },
    full: { measureId: 'jpn-kor-semiconductor-materials-2019', items: ['photoresist'], phase: 'effective' },
  },
  'export-control-lifted': {
    minimal: { measureId: 'jpn-kor-semiconductor-materials-2019' },
    full: {
      measureId: 'jpn-kor-semiconductor-materials-2019',
      items: ['photoresist', 'hydrogen fluoride', 'fluorinated polyimide'],
      phase: 'decided',
    },
  },
  'tariff-imposed': {
    minimal: { measureId: 'kor-steel-2019', products: ['steel plate'] },
    full: {
      measureId: 'kor-steel-2019',
      products: ['steel plate', 'steel pipe'],
      rate: '25%',
      phase: 'announced',
    },
  },
  'tariff-lifted': {
    minimal: { measureId: 'kor-steel-2019' },
    full: { measureId: 'kor-steel-2019', products: ['steel pipe'], phase: 'effective' },
  },
  'sanctions-imposed': {
    minimal: { measureId: 'asset-freeze-2019', targets: ['Example Trading Co.'] },
    full: {
      measureId: 'asset-freeze-2019',
      targets: ['Example Trading Co.', 'shipping sector'],
      kind: 'asset freeze',
      phase: 'effective',
    },
  },
  'sanctions-lifted': {
    minimal: { measureId: 'asset-freeze-2019' },
    full: { measureId: 'asset-freeze-2019', targets: ['shipping sector'], phase: 'effective' },
  },
  'preferential-list-removed': {
    minimal: {},
    full: { list: 'Group A ("white list") of export control', phase: 'effective' },
  },
  'preferential-list-restored': {
    minimal: {},
    full: { list: 'Group A ("white list") of export control', phase: 'decided' },
  },
  'agreement-signed': {
    minimal: { agreementId: 'gsomia', name: 'General Security of Military Information Agreement' },
    full: { agreementId: 'gsomia', name: 'General Security of Military Information Agreement' },
  },
  'agreement-termination-notified': {
    minimal: { agreementId: 'gsomia' },
    full: { agreementId: 'gsomia', name: 'GSOMIA', terminatesOn: '2019-11-23', phase: 'effective' },
  },
  'agreement-termination-suspended': {
    minimal: { agreementId: 'gsomia' },
    full: { agreementId: 'gsomia', phase: 'effective' },
  },
  'agreement-normalised': {
    minimal: { agreementId: 'gsomia' },
    full: { agreementId: 'gsomia', phase: 'effective' },
  },
  'agreement-terminated': {
    minimal: { agreementId: 'gsomia' },
    full: { agreementId: 'gsomia', phase: 'announced' },
  },
  'wto-dispute-filed': {
    minimal: { disputeId: DS590 },
    full: { disputeId: DS590, title: 'Japan — Measures related to the exportation of products to Korea' },
  },
  'wto-dispute-stage-reached': {
    minimal: { disputeId: DS590, stage: 'panel-established' },
    full: { disputeId: DS590, stage: 'panel-established' },
  },
  'wto-dispute-suspended': {
    minimal: { disputeId: DS590 },
    full: { disputeId: DS590, phase: 'effective' },
  },
  'wto-dispute-resumed': {
    minimal: { disputeId: DS590 },
    full: { disputeId: DS590, phase: 'effective' },
  },
  'wto-dispute-withdrawn': {
    minimal: { disputeId: DS590 },
    full: { disputeId: DS590, phase: 'effective' },
  },
  'talks-held': {
    minimal: { level: 'director-general' },
    full: {
      level: 'director-general',
      format: 'video',
      forum: 'Export control policy dialogue',
      outcome: 'Agreed to keep talking about export controls.',
    },
  },
  'other-development': {
    minimal: { category: 'compensation plan' },
    full: { category: 'compensation plan' },
  },
  'event-corrected': {
    minimal: {
      eventId: TARGET,
      changes: { summary: 'A better summary.' },
      reason: 'The first summary was wrong.',
    },
    full: {
      eventId: TARGET,
      changes: {
        date: '2019-07-04',
        dateEnd: null,
        summary: 'A better summary.',
        data: { items: ['photoresist'], instrument: null },
        sources: [{ publisher: 'Kyodo News', url: 'https://english.kyodonews.net/' }],
      },
      reason: 'The first summary was wrong.',
    },
  },
  'event-retracted': {
    minimal: { eventId: TARGET, reason: 'Recorded in the wrong pair.' },
    full: { eventId: TARGET, reason: 'Recorded in the wrong pair.' },
  },
};
