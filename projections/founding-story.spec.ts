/**
 * The founding story, read from the bundled record as a user reads it: the Japan–Korea dataset is
 * parsed with the import validation, recorded the way the service records it, and asked for the
 * state on the dates the sources speak of. Every expectation comes from the sources cited in
 * `events/datasets/jpn-kor.ndjson`; the index values are worked out by hand from domain.md's weights.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { RecordedEvent } from '../events/catalogue';
import { parseImportLine } from '../events/parse-event';
import { recordAll } from '../test/support/recorded-events';
import { appendWarnings } from './append-warnings';
import { stateAt } from './state';
import type { RelationState } from './state.types';

const PAIR = 'JPN-KOR';
const MEASURE = 'jpn-kor-semiconductor-materials-2019';
const JAPAN_LIST = "Japan Export Trade Control Order, Appendix 3 ('white countries', renamed Group A)";
const KOREA_LIST = 'Public Notice on Export and Import of Strategic Items (Ga zone)';
/** Long after the whole record was stored (the builder's clock starts on 2026-01-01). */
const KNOWN_AT = '2027-01-01T00:00:00.000Z';

function loadRecord(): RecordedEvent[] {
  const path = join(__dirname, '..', 'events', 'datasets', 'jpn-kor.ndjson');
  const inputs = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((text, i) => {
      const parsed = parseImportLine(JSON.parse(text));
      if (!parsed.ok || parsed.value.pair !== PAIR)
        throw new Error(`line ${i + 1} of the bundled record is not a valid ${PAIR} event`);
      return parsed.value.event;
    });
  return recordAll(PAIR, inputs);
}

const record = loadRecord();

function stateOn(asOf: string, knownAt = KNOWN_AT): RelationState {
  return stateAt(record, { pair: PAIR, asOf, knownAt });
}

/** The id of the event recorded for a research fact, found by the key its note opens with. */
function idOf(key: string): string {
  const event = record.find((e) => e.note?.startsWith(`Fact key ${key}.`));
  if (!event) throw new Error(`no event for fact ${key} in the bundled record`);
  return event.id;
}

const gsomia = (state: RelationState) => state.agreements.find((a) => a.agreementId === 'gsomia');
const ds590 = (state: RelationState) => state.disputes.find((d) => d.disputeId === 'DS590');
const japanControls = (state: RelationState) => state.measures.JPN?.exportControls ?? [];
const itemLevels = (state: RelationState) =>
  Object.fromEntries(
    japanControls(state)
      .find((m) => m.measureId === MEASURE)
      ?.items.map((item) => [item.name, `${item.level} since ${item.since}`]) ?? [],
  );
const pendingIds = (state: RelationState) => state.pending.map((p) => p.eventId).sort();

describe('the founding story in the bundled Japan–Korea record', () => {
  it('reports nothing restricted on 2019-07-03, with both announcements of 2019-07-01 pending', () => {
    const state = stateOn('2019-07-03');

    expect(japanControls(state)).toEqual([]);
    expect(state.measures.JPN?.preferentialList).toEqual({ status: 'unknown' });
    expect(pendingIds(state)).toEqual(
      [idOf('jp-2019-07-01-ec-announced'), idOf('jp-2019-07-01-wl-proposed')].sort(),
    );
    expect(state.pending.map((p) => p.phase)).toEqual(['announced', 'announced']);
  });

  it("reports Japan's three items restricted from 2019-07-04", () => {
    const state = stateOn('2019-07-04');

    expect(japanControls(state)).toMatchObject([
      {
        measureId: MEASURE,
        since: '2019-07-04',
        eventIds: [idOf('jp-2019-07-04-ec-in-force')],
      },
    ]);
    expect(itemLevels(state)).toEqual({
      'fluorinated polyimide': 'restricted since 2019-07-04',
      photoresist: 'restricted since 2019-07-04',
      'hydrogen fluoride': 'restricted since 2019-07-04',
    });
    // The announcement is fulfilled; the list proposal of the same day still waits for its effect.
    expect(pendingIds(state)).toEqual([idOf('jp-2019-07-01-wl-proposed')]);
  });

  it("reports Korea removed from Japan's preferential list from 2019-08-28, decided on 2019-08-02 and 2019-08-07", () => {
    const before = stateOn('2019-08-27');
    const after = stateOn('2019-08-28');

    expect(before.measures.JPN?.preferentialList).toEqual({ status: 'unknown' });
    expect(pendingIds(before)).toEqual(
      [
        idOf('jp-2019-07-01-wl-proposed'),
        idOf('jp-2019-08-02-wl-cabinet'),
        idOf('jp-2019-08-07-wl-promulgated'),
        idOf('kr-2019-08-12-wl-announced'),
      ].sort(),
    );
    expect(after.measures.JPN?.preferentialList).toEqual({
      status: 'removed',
      list: JAPAN_LIST,
      since: '2019-08-28',
      eventId: idOf('jp-2019-08-28-wl-in-force'),
    });
    expect(pendingIds(after)).toEqual([idOf('kr-2019-08-12-wl-announced')]);
  });

  it('reports GSOMIA in force until its termination was notified on 2019-08-23, to end on 2019-11-23', () => {
    const announced = stateOn('2019-08-22');
    const notified = stateOn('2019-08-23');

    expect(gsomia(announced)).toMatchObject({ name: 'GSOMIA', status: 'in-force', since: '2016-11-23' });
    expect(pendingIds(announced)).toContain(idOf('kr-2019-08-22-gsomia-termination-decided'));
    expect(gsomia(notified)).toMatchObject({
      status: 'termination-notified',
      since: '2019-08-23',
      terminatesOn: '2019-11-23',
      eventId: idOf('kr-2019-08-23-gsomia-note-delivered'),
    });
    expect(pendingIds(notified)).not.toContain(idOf('kr-2019-08-22-gsomia-termination-decided'));
  });

  it("reports Japan removed from Korea's list from 2019-09-18", () => {
    expect(stateOn('2019-09-17').measures.KOR?.preferentialList).toEqual({ status: 'unknown' });
    expect(stateOn('2019-09-18').measures.KOR?.preferentialList).toEqual({
      status: 'removed',
      list: KOREA_LIST,
      since: '2019-09-18',
      eventId: idOf('kr-2019-09-18-wl-in-force'),
    });
  });

  it('reports DS590 in consultations from 2019-09-11, Korea complaining against Japan', () => {
    expect(ds590(stateOn('2019-09-10'))).toBeUndefined();
    expect(ds590(stateOn('2019-09-11'))).toMatchObject({
      forum: 'WTO',
      complainant: 'KOR',
      respondent: 'JPN',
      stage: 'consultations',
      suspended: false,
      since: '2019-09-11',
    });
  });

  it('answers the question of 2019-09-30: three items restricted, both lists removed, GSOMIA notified, DS590 in consultations', () => {
    const state = stateOn('2019-09-30');

    expect(Object.values(itemLevels(state)).every((level) => level.startsWith('restricted'))).toBe(true);
    expect(state.measures.JPN?.preferentialList.status).toBe('removed');
    expect(state.measures.KOR?.preferentialList.status).toBe('removed');
    expect(gsomia(state)?.status).toBe('termination-notified');
    expect(ds590(state)).toMatchObject({ stage: 'consultations', suspended: false });
    expect(state.rulings.map((r) => r.date)).toEqual(['2018-10-30', '2018-11-29']);
    expect(state.pending).toEqual([]);
    // The first fluorinated-polyimide licence is known only to the month: over on 2019-09-30,
    // still under way on 2019-09-18, when it is listed as uncertain instead.
    expect(stateOn('2019-09-18').uncertain.map((u) => u.eventId)).toEqual([idOf('jp-2019-09-licence-fpi')]);
    expect(state.uncertain).toEqual([]);
  });

  it("reports GSOMIA's termination and DS590 both suspended on 2019-11-22, hours before expiry", () => {
    const state = stateOn('2019-11-22');

    expect(gsomia(state)).toMatchObject({
      status: 'termination-suspended',
      since: '2019-11-22',
      eventId: idOf('kr-2019-11-22-gsomia-termination-suspended'),
    });
    expect(gsomia(state)?.terminatesOn).toBeUndefined();
    expect(ds590(state)).toMatchObject({ stage: 'consultations', suspended: true });
    // The notified end date passes with a later event on the agreement: nothing to warn about.
    expect(stateOn('2019-11-23').warnings).toEqual([]);
  });

  it('reports photoresist eased from 2019-12-20 while fluorinated polyimide and hydrogen fluoride stay restricted', () => {
    expect(itemLevels(stateOn('2019-12-19')).photoresist).toBe('restricted since 2019-07-04');
    expect(itemLevels(stateOn('2019-12-20'))).toEqual({
      'fluorinated polyimide': 'restricted since 2019-07-04',
      photoresist: 'eased since 2019-12-20',
      'hydrogen fluoride': 'restricted since 2019-07-04',
    });
  });

  it('counts the director-general dialogue of 2020-03-10/11 by video once it is over, hosted by Korea', () => {
    const during = stateOn('2020-03-10');
    const after = stateOn('2020-03-11');

    expect(during.uncertain.map((u) => u.eventId)).toEqual([idOf('jk-2020-03-10-policy-dialogue-8')]);
    expect(during.talks.count).toBe(3);
    expect(after.talks.count).toBe(4);
    expect(after.talks.last).toMatchObject({
      date: '2020-03-10',
      level: 'director-general',
      format: 'video',
      host: 'KOR',
      eventId: idOf('jk-2020-03-10-policy-dialogue-8'),
    });
  });

  it('reports DS590 resumed on 2020-06-02, a panel requested on 2020-06-18 and established on 2020-07-29', () => {
    expect(ds590(stateOn('2020-06-01'))?.suspended).toBe(true);
    expect(ds590(stateOn('2020-06-02'))).toMatchObject({ stage: 'consultations', suspended: false });
    expect(ds590(stateOn('2020-06-18'))).toMatchObject({ stage: 'panel-requested', since: '2020-06-18' });
    expect(ds590(stateOn('2020-07-29'))).toMatchObject({
      stage: 'panel-established',
      suspended: false,
      since: '2020-07-29',
    });
  });

  it('reports DS590 halted again from 2023-03-06 and withdrawn on 2023-03-23, as announced on 2023-03-16', () => {
    expect(ds590(stateOn('2023-03-05'))?.suspended).toBe(false);
    expect(ds590(stateOn('2023-03-06'))).toMatchObject({ stage: 'panel-established', suspended: true });
    expect(pendingIds(stateOn('2023-03-22'))).toContain(idOf('kr-2023-03-16-wto-withdrawal-announced'));
    expect(ds590(stateOn('2023-03-23'))).toMatchObject({
      stage: 'withdrawn',
      suspended: false,
      since: '2023-03-23',
    });
  });

  it('reports GSOMIA plainly in force again from 2023-03-21', () => {
    expect(gsomia(stateOn('2023-03-20'))?.status).toBe('termination-suspended');
    expect(gsomia(stateOn('2023-03-21'))).toMatchObject({
      status: 'in-force',
      since: '2023-03-21',
      eventId: idOf('kr-2023-03-21-gsomia-normalised'),
    });
  });

  it('reports no Japanese export restriction from 2023-03-23, the lifting announced on 2023-03-16 pending until then', () => {
    const eve = stateOn('2023-03-22');

    expect(japanControls(eve)).toHaveLength(1);
    expect(pendingIds(eve)).toContain(idOf('jp-2023-03-16-ec-lift-decided'));
    for (const asOf of ['2023-03-23', '2023-07-21', '2023-12-31']) {
      expect(japanControls(stateOn(asOf))).toEqual([]);
      expect(pendingIds(stateOn(asOf))).not.toContain(idOf('jp-2023-03-16-ec-lift-decided'));
    }
  });

  it("reports Japan back on Korea's list from 2023-04-24 and Korea back on Japan's list from 2023-07-21", () => {
    expect(stateOn('2023-04-23').measures.KOR?.preferentialList.status).toBe('removed');
    expect(stateOn('2023-04-24').measures.KOR?.preferentialList).toEqual({
      status: 'listed',
      list: KOREA_LIST,
      since: '2023-04-24',
      eventId: idOf('kr-2023-04-24-wl-restored'),
    });
    const eve = stateOn('2023-07-20');
    expect(eve.measures.JPN?.preferentialList.status).toBe('removed');
    expect(pendingIds(eve)).toEqual(
      [idOf('jp-2023-04-28-wl-restore-proposed'), idOf('jp-2023-06-27-wl-restore-cabinet')].sort(),
    );
    const restored = stateOn('2023-07-21');
    expect(restored.measures.JPN?.preferentialList).toEqual({
      status: 'listed',
      list: JAPAN_LIST,
      since: '2023-07-21',
      eventId: idOf('jp-2023-07-21-wl-restored'),
    });
    expect(restored.pending).toEqual([]);
  });

  // Weights (domain.md, index version 1): restricted item -0.5, eased item -0.25, list removed -1.5,
  // termination notified -2.5, termination suspended -1.0, dispute not withdrawn -0.5 (suspended
  // -0.25), each ruling of the last five years -0.5, at most -1.0 in all.
  it.each([
    // 2 rulings of 2018 = -1.0; nothing else stands.
    ['2019-07-03', -1, { JPN: 0, KOR: 0, bilateral: -1 }],
    // JPN 3 items x -0.5 = -1.5; bilateral: rulings -1.0.
    ['2019-07-04', -2.5, { JPN: -1.5, KOR: 0, bilateral: -1 }],
    // JPN -1.5 items - 1.5 list = -3.0; bilateral: GSOMIA notified -2.5, rulings -1.0 = -3.5.
    ['2019-08-28', -6.5, { JPN: -3, KOR: 0, bilateral: -3.5 }],
    // KOR list -1.5; bilateral: -2.5 GSOMIA - 0.5 DS590 - 1.0 rulings = -4.0.
    ['2019-09-18', -8.5, { JPN: -3, KOR: -1.5, bilateral: -4 }],
    ['2019-09-30', -8.5, { JPN: -3, KOR: -1.5, bilateral: -4 }],
    // bilateral: GSOMIA suspended -1.0, DS590 suspended -0.25, rulings -1.0 = -2.25.
    ['2019-11-22', -6.75, { JPN: -3, KOR: -1.5, bilateral: -2.25 }],
    // JPN: 2 x -0.5 + photoresist eased -0.25 + list -1.5 = -2.75.
    ['2019-12-20', -6.5, { JPN: -2.75, KOR: -1.5, bilateral: -2.25 }],
    // bilateral: GSOMIA suspended -1.0, DS590 resumed -0.5, rulings -1.0 = -2.5.
    ['2020-06-02', -6.75, { JPN: -2.75, KOR: -1.5, bilateral: -2.5 }],
    // JPN: controls lifted, list still removed -1.5; KOR list -1.5; bilateral: GSOMIA in force,
    // DS590 withdrawn, rulings of 2018-10-30 and 2018-11-29 within five years -1.0.
    ['2023-03-23', -4, { JPN: -1.5, KOR: -1.5, bilateral: -1 }],
    // Both lists restored; only the 2018 rulings (after 2018-07-21) still count.
    ['2023-07-21', -1, { JPN: 0, KOR: 0, bilateral: -1 }],
    // Both 2018 rulings now older than five years (window from 2018-11-30): nothing stands.
    ['2023-11-30', 0, { JPN: 0, KOR: 0, bilateral: 0 }],
    // The rulings of 2023-12-21 and 2023-12-28: 2 x -0.5.
    ['2023-12-31', -1, { JPN: 0, KOR: 0, bilateral: -1 }],
  ])('puts the tension index on %s at %d, by component %j', (asOf, value, components) => {
    expect(stateOn(asOf).index).toEqual({ version: 1, value, components });
  });

  it('fits itself: no warning on any date of the story', () => {
    const dates = ['2019-07-03', '2019-08-28', '2019-11-23', '2020-07-29', '2023-03-23', '2023-12-31'];
    expect(dates.flatMap((asOf) => stateOn(asOf).warnings)).toEqual([]);
  });

  it('loads into an empty stream without a warning: no step repeats another, none is a possible duplicate', () => {
    expect(appendWarnings([], record, PAIR)).toEqual([]);
  });

  it('tells the story as it was known: before the lifting was recorded, 2023-07-21 still shows the 2019 controls', () => {
    const lifted = record.find((e) => e.id === idOf('jp-2023-03-23-ec-lifted'))!;
    const justBefore = new Date(Date.parse(lifted.recordedAt) - 1).toISOString();

    expect(japanControls(stateOn('2023-07-21', justBefore))).toHaveLength(1);
    expect(japanControls(stateOn('2023-07-21', lifted.recordedAt))).toEqual([]);
    expect(stateOn('2023-07-21', '2025-12-31T23:59:59.999Z').revision).toBe(-1);
  });
});
