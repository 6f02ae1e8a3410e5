/**
 * FROZEN fixture: three events of the Japan–Korea pair exactly as the pre-release service stored
 * them at schema version 0, with their hash chain. Never edit: the upcasters must read these.
 */
import type { RecordedEventV0 } from './v0';

export const V0_RECORDED_EVENTS: readonly RecordedEventV0[] = [
  {
    id: '3c1d9e52-7a4b-4f0e-8d21-6b5a4c3f2e10',
    pair: 'JPN-KOR',
    revision: 0,
    type: 'wto-dispute-filed',
    date: '2019-09-11',
    actor: 'KOR',
    summary: "South Korea requests WTO consultations over Japan's export controls on three chemicals.",
    data: {
      dispute: 590,
      title: 'Japan — Measures related to the exportation of products and technology to Korea',
    },
    sources: [
      {
        publisher: 'World Trade Organization',
        url: 'https://www.wto.org/english/tratop_e/dispu_e/cases_e/ds590_e.htm',
        title: 'DS590',
      },
    ],
    recordedAt: '2019-12-30T09:00:00.000Z',
    recordedBy: 'analyst:pre-release',
    schemaVersion: 0,
    prevHash: '0000000000000000000000000000000000000000000000000000000000000000',
    hash: '3bfab35895e684a19fcda27312198e4c6e9875e011d376e76cbb03f7030ad2c3',
  },
  {
    id: '8e2f6a14-5b3c-4d7e-9f10-2a1b0c9d8e7f',
    pair: 'JPN-KOR',
    revision: 1,
    type: 'talks-held',
    date: '2019-12-16',
    actor: 'JPN',
    summary:
      'Trade officials of both countries hold their first export-control policy dialogue in three and a half years, in Tokyo.',
    data: {
      rank: 'director-general',
      format: 'in-person',
      forum: 'Export control policy dialogue',
    },
    sources: [
      {
        publisher: 'Yonhap',
        publishedOn: '2019-12-16',
      },
    ],
    recordedAt: '2019-12-30T09:05:00.000Z',
    recordedBy: 'analyst:pre-release',
    schemaVersion: 0,
    prevHash: '3bfab35895e684a19fcda27312198e4c6e9875e011d376e76cbb03f7030ad2c3',
    hash: '9f6721db1c9ad71ddc7ee47ccd4ef30bd382bb470e1fe379597ed0c2fb3e6f51',
  },
  {
    id: 'b7a6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d',
    pair: 'JPN-KOR',
    revision: 2,
    type: 'talks-held',
    date: '2019-12-24',
    actor: 'JPN',
    summary:
      'The Japanese prime minister and the South Korean president meet in Chengdu on the sidelines of a trilateral summit.',
    data: {
      rank: 'summit',
      format: 'in-person',
      forum: 'Japan–China–Korea trilateral summit, Chengdu',
      outcome: 'Agreed that disputes should be solved through dialogue.',
    },
    sources: [
      {
        publisher: 'Kyodo News',
        publishedOn: '2019-12-24',
      },
    ],
    recordedAt: '2019-12-30T09:10:00.000Z',
    recordedBy: 'analyst:pre-release',
    schemaVersion: 0,
    prevHash: '9f6721db1c9ad71ddc7ee47ccd4ef30bd382bb470e1fe379597ed0c2fb3e6f51',
    hash: '36543121dac23373901a2a6758b743d933a634a3630c325976d63bf3f181c435',
  },
];
