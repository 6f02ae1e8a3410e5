import {
  agreementNormalised,
  agreementSigned,
  agreementTerminated,
  disputeFiled,
  disputeResumed,
  disputeSuspended,
  disputeWithdrawn,
  eased,
  given,
  lifted,
  listRemoved,
  listRestored,
  other,
  recordAll,
  retracted,
  ruling,
  sanctionsImposed,
  sanctionsLifted,
  stageReached,
  talks,
  tariffImposed,
  tariffLifted,
  terminationNotified,
  terminationSuspended,
  tightened,
} from '../test/support/recorded-events';
import fc from 'fast-check';
import { development, streamInputs } from '../test/support/arbitraries';
import { evolve, foldFrom, initialState, insertForFold, orderForFold, stateAt } from './state';
import { resolveCorrections } from './corrections';

const PAIR = 'JPN-KOR';
const MEASURE = 'jpn-kor-semiconductor-materials-2019';

describe('state as of a date', () => {
  describe('with no events', () => {
    it('has both countries with no measures, list status unknown, revision -1', () => {
      const state = given(PAIR).stateOn('2019-09-30');
      expect(state).toMatchObject({ pair: PAIR, asOf: '2019-09-30', revision: -1 });
      for (const code of ['JPN', 'KOR']) {
        expect(state.measures[code]).toEqual({
          exportControls: [],
          tariffs: [],
          sanctions: [],
          preferentialList: { status: 'unknown' },
        });
      }
      expect(state.index).toEqual({ version: 1, value: 0, components: { JPN: 0, KOR: 0, bilateral: 0 } });
      expect(state.talks).toEqual({ count: 0, last: null });
    });
  });

  describe('export controls', () => {
    const record = given(
      PAIR,
      tightened('JPN', '2019-07-04', MEASURE, ['photoresist', 'hydrogen fluoride', 'fluorinated polyimide'], {
        id: 't1',
      }),
      eased('JPN', '2019-12-20', MEASURE, ['photoresist'], { id: 'e1' }),
      lifted('JPN', '2023-03-16', MEASURE, ['hydrogen fluoride'], { id: 'l1' }),
      lifted('JPN', '2023-06-01', MEASURE, undefined, { id: 'l2' }),
    );

    it('reports three restricted items under Japan’s measure from 2019-07-04', () => {
      const state = record.stateOn('2019-09-30');
      expect(state.measures.JPN!.exportControls).toEqual([
        {
          measureId: MEASURE,
          since: '2019-07-04',
          items: [
            { name: 'photoresist', level: 'restricted', since: '2019-07-04' },
            { name: 'hydrogen fluoride', level: 'restricted', since: '2019-07-04' },
            { name: 'fluorinated polyimide', level: 'restricted', since: '2019-07-04' },
          ],
          eventIds: ['t1'],
        },
      ]);
      expect(state.measures.KOR!.exportControls).toEqual([]);
    });

    it('reports photoresist eased from 2019-12-20 and the others still restricted', () => {
      const items = record.stateOn('2020-01-01').measures.JPN!.exportControls[0]!.items;
      expect(items).toContainEqual({ name: 'photoresist', level: 'eased', since: '2019-12-20' });
      expect(items.filter((i) => i.level === 'restricted')).toHaveLength(2);
    });

    it('removes a lifted item and keeps the measure while items remain', () => {
      const measure = record.stateOn('2023-04-01').measures.JPN!.exportControls[0]!;
      expect(measure.items.map((i) => i.name)).toEqual(['photoresist', 'fluorinated polyimide']);
      expect(measure.eventIds).toEqual(['t1', 'e1', 'l1']);
    });

    it('removes the measure when a lift without items takes all that remain', () => {
      expect(record.stateOn('2023-06-01').measures.JPN!.exportControls).toEqual([]);
    });

    it('re-tightening an eased item restricts it again from the new date, keeping the measure’s since', () => {
      const state = record
        .and(tightened('JPN', '2021-01-10', MEASURE, ['photoresist']))
        .stateOn('2021-02-01');
      const measure = state.measures.JPN!.exportControls[0]!;
      expect(measure.since).toBe('2019-07-04');
      expect(measure.items[0]).toEqual({ name: 'photoresist', level: 'restricted', since: '2021-01-10' });
    });

    it('easing a measure never recorded changes nothing and warns', () => {
      const state = given(
        PAIR,
        eased('KOR', '2020-01-01', 'unknown-measure', undefined, { id: 'x' }),
      ).stateOn('2020-12-31');
      expect(state.measures.KOR!.exportControls).toEqual([]);
      expect(state.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'x' })]);
    });

    it('lifting items that are not controlled lifts the others and warns naming the missing ones', () => {
      const state = given(
        PAIR,
        tightened('JPN', '2019-07-04', MEASURE, ['a', 'b']),
        lifted('JPN', '2019-08-01', MEASURE, ['b', 'z'], { id: 'l' }),
      ).stateOn('2019-09-01');
      expect(state.measures.JPN!.exportControls[0]!.items.map((i) => i.name)).toEqual(['a']);
      expect(state.warnings).toHaveLength(1);
      expect(state.warnings[0]).toMatchObject({ code: 'not-in-state', eventId: 'l' });
      expect(state.warnings[0]!.message).toContain('z');
    });
  });

  describe('tariffs and sanctions', () => {
    it('keeps a tariff’s since when a later imposition with the same id replaces products and rate', () => {
      const state = given(
        PAIR,
        tariffImposed('KOR', '2019-09-18', 'kor-steel', ['steel'], '10%', { id: 'a' }),
        tariffImposed('KOR', '2020-01-05', 'kor-steel', ['steel', 'aluminium'], '25%', { id: 'b' }),
      ).stateOn('2020-02-01');
      expect(state.measures.KOR!.tariffs).toEqual([
        {
          measureId: 'kor-steel',
          products: ['steel', 'aluminium'],
          rate: '25%',
          since: '2019-09-18',
          eventIds: ['a', 'b'],
        },
      ]);
    });

    it('keeps the rate when a re-imposition states none, and reports null when none was ever stated', () => {
      const state = given(
        PAIR,
        tariffImposed('KOR', '2019-09-18', 'kor-steel', ['steel'], '10%'),
        tariffImposed('KOR', '2020-01-05', 'kor-steel', ['steel']),
        tariffImposed('JPN', '2020-01-05', 'jpn-fish', ['fish']),
      ).stateOn('2020-02-01');
      expect(state.measures.KOR!.tariffs[0]!.rate).toBe('10%');
      expect(state.measures.JPN!.tariffs[0]!.rate).toBeNull();
    });

    it('lifts tariff products one by one and drops the measure when empty', () => {
      const record = given(
        PAIR,
        tariffImposed('KOR', '2019-09-18', 'kor-steel', ['steel', 'aluminium'], '10%'),
        tariffLifted('KOR', '2020-01-01', 'kor-steel', ['steel']),
        tariffLifted('KOR', '2021-01-01', 'kor-steel'),
      );
      expect(record.stateOn('2020-06-01').measures.KOR!.tariffs[0]!.products).toEqual(['aluminium']);
      expect(record.stateOn('2021-06-01').measures.KOR!.tariffs).toEqual([]);
    });

    it('lifting a tariff never recorded warns', () => {
      const state = given(PAIR, tariffLifted('KOR', '2020-01-01', 'nothing', undefined, { id: 'x' })).stateOn(
        '2020-06-01',
      );
      expect(state.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'x' })]);
    });

    it('reports sanctions with targets and kind, replaced by a later imposition, lifted target by target', () => {
      const record = given(
        PAIR,
        sanctionsImposed('JPN', '2020-03-01', 's1', ['Firm A'], 'asset freeze', { id: 'a' }),
        sanctionsImposed('JPN', '2020-04-01', 's1', ['Firm A', 'Firm B'], undefined, { id: 'b' }),
        sanctionsLifted('JPN', '2020-05-01', 's1', ['Firm A', 'Firm C'], { id: 'c' }),
        sanctionsLifted('JPN', '2020-06-01', 's1', undefined, { id: 'd' }),
      );
      expect(record.stateOn('2020-04-15').measures.JPN!.sanctions).toEqual([
        {
          measureId: 's1',
          targets: ['Firm A', 'Firm B'],
          kind: 'asset freeze',
          since: '2020-03-01',
          eventIds: ['a', 'b'],
        },
      ]);
      const may = record.stateOn('2020-05-15');
      expect(may.measures.JPN!.sanctions[0]!.targets).toEqual(['Firm B']);
      expect(may.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'c' })]);
      expect(record.stateOn('2020-06-15').measures.JPN!.sanctions).toEqual([]);
    });
  });

  describe('preferential lists', () => {
    const record = given(
      PAIR,
      listRemoved('JPN', '2019-08-28', { id: 'j' }),
      listRemoved('KOR', '2019-09-18', { id: 'k', list: 'Ga group' }),
      listRestored('JPN', '2023-07-21', { id: 'r' }),
    );

    it('reports Korea removed from Japan’s list from 2019-08-28', () => {
      expect(record.stateOn('2019-09-30').measures.JPN!.preferentialList).toEqual({
        status: 'removed',
        list: 'preferential trade list',
        since: '2019-08-28',
        eventId: 'j',
      });
    });

    it('keeps the status unknown before any list event', () => {
      expect(record.stateOn('2019-08-27').measures.JPN!.preferentialList).toEqual({ status: 'unknown' });
    });

    it('names the list given by the event', () => {
      expect(record.stateOn('2019-09-30').measures.KOR!.preferentialList).toMatchObject({ list: 'Ga group' });
    });

    it('reports Korea listed again from 2023-07-21 with no warning', () => {
      const state = record.stateOn('2023-08-01');
      expect(state.measures.JPN!.preferentialList).toMatchObject({ status: 'listed', since: '2023-07-21' });
      expect(state.warnings).toEqual([]);
    });

    it('restoring a list status never removed sets it listed and warns', () => {
      const state = given(PAIR, listRestored('KOR', '2020-01-01', { id: 'x' })).stateOn('2020-02-01');
      expect(state.measures.KOR!.preferentialList).toMatchObject({ status: 'listed' });
      expect(state.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'x' })]);
    });

    it('removing twice warns that it is already removed', () => {
      const state = record.and(listRemoved('JPN', '2019-10-01', { id: 'again' })).stateOn('2019-10-02');
      expect(state.warnings).toEqual([
        expect.objectContaining({ code: 'already-in-state', eventId: 'again' }),
      ]);
    });
  });

  describe('agreements', () => {
    const record = given(
      PAIR,
      agreementSigned('KOR', '2016-11-23', 'gsomia', 'GSOMIA', { id: 's' }),
      terminationNotified('KOR', '2019-08-23', 'gsomia', '2019-11-23', { id: 'n' }),
      terminationSuspended('KOR', '2019-11-22', 'gsomia', { id: 'p' }),
      agreementNormalised('KOR', '2023-03-21', 'gsomia', { id: 'o' }),
    );

    it('reports GSOMIA in force after signature', () => {
      expect(record.stateOn('2017-01-01').agreements).toEqual([
        {
          agreementId: 'gsomia',
          name: 'GSOMIA',
          status: 'in-force',
          since: '2016-11-23',
          eventId: 's',
          eventIds: ['s'],
        },
      ]);
    });

    it('reports GSOMIA termination-notified on 2019-09-30 with the notified end date', () => {
      expect(record.stateOn('2019-09-30').agreements[0]).toMatchObject({
        status: 'termination-notified',
        since: '2019-08-23',
        terminatesOn: '2019-11-23',
        eventId: 'n',
      });
    });

    it('reports GSOMIA termination-suspended from 2019-11-22, without a termination date', () => {
      const agreement = record.stateOn('2019-12-01').agreements[0]!;
      expect(agreement).toMatchObject({ status: 'termination-suspended', since: '2019-11-22' });
      expect(agreement.terminatesOn).toBeUndefined();
    });

    it('reports GSOMIA in force again after normalisation', () => {
      expect(record.stateOn('2023-04-01').agreements[0]).toMatchObject({
        status: 'in-force',
        since: '2023-03-21',
      });
    });

    it('reports an agreement terminated', () => {
      const state = record.and(agreementTerminated('KOR', '2024-01-01', 'gsomia')).stateOn('2024-01-02');
      expect(state.agreements[0]).toMatchObject({ status: 'terminated', since: '2024-01-01' });
    });

    it('creates an agreement first seen in a termination notice, named by its name, and warns', () => {
      const state = given(
        PAIR,
        terminationNotified('KOR', '2019-08-23', 'gsomia', '2019-11-23', { id: 'n', name: 'GSOMIA' }),
      ).stateOn('2019-09-30');
      expect(state.agreements[0]).toMatchObject({
        agreementId: 'gsomia',
        name: 'GSOMIA',
        status: 'termination-notified',
      });
      expect(state.warnings).toEqual([
        expect.objectContaining({ code: 'beginning-not-recorded', eventId: 'n' }),
      ]);
    });

    it('names an agreement by its id when no event names it', () => {
      const state = given(PAIR, terminationSuspended('KOR', '2019-11-22', 'gsomia')).stateOn('2019-12-01');
      expect(state.agreements[0]!.name).toBe('gsomia');
    });

    it('names in warnings a termination date passed with no later event, without inventing the termination', () => {
      const notified = given(
        PAIR,
        terminationNotified('KOR', '2019-08-23', 'gsomia', '2019-11-23', { id: 'n' }),
      );
      expect(notified.stateOn('2019-11-23').warnings.map((w) => w.code)).toEqual(['beginning-not-recorded']);
      const after = notified.stateOn('2019-11-24');
      expect(after.agreements[0]!.status).toBe('termination-notified');
      expect(after.warnings.map((w) => w.code)).toEqual(['beginning-not-recorded', 'terminates-on-passed']);
      expect(after.warnings[1]!.message).toContain('gsomia');
    });

    it('does not warn of a passed termination date once a later event on the agreement is recorded', () => {
      expect(record.stateOn('2020-01-01').warnings).toEqual([]);
    });

    it('suspending a termination never notified warns', () => {
      const state = record
        .and(terminationSuspended('KOR', '2024-01-01', 'gsomia', { id: 'odd' }))
        .stateOn('2024-02-01');
      expect(state.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'odd' })]);
    });
  });

  describe('WTO disputes', () => {
    const record = given(
      PAIR,
      disputeFiled('KOR', '2019-09-11', 'DS590', { id: 'f', title: 'Japan — export controls' }),
      stageReached('KOR', '2020-07-29', 'DS590', 'panel-established', { id: 'p' }),
      disputeSuspended('KOR', '2023-03-23', 'DS590', { id: 's' }),
      disputeResumed('KOR', '2023-04-01', 'DS590', { id: 'r' }),
      disputeWithdrawn('KOR', '2023-06-01', 'DS590', { id: 'w' }),
    );

    it('reports DS590 in consultations with Korea complainant and Japan respondent from 2019-09-11', () => {
      expect(record.stateOn('2019-09-30').disputes).toEqual([
        {
          disputeId: 'DS590',
          forum: 'WTO',
          title: 'Japan — export controls',
          complainant: 'KOR',
          respondent: 'JPN',
          stage: 'consultations',
          suspended: false,
          since: '2019-09-11',
          eventIds: ['f'],
        },
      ]);
    });

    it('reports the stage reached and when', () => {
      expect(record.stateOn('2021-01-01').disputes[0]).toMatchObject({
        stage: 'panel-established',
        since: '2020-07-29',
      });
    });

    it('reports DS590 suspended from 2023-03-23, keeping its stage', () => {
      expect(record.stateOn('2023-03-25').disputes[0]).toMatchObject({
        stage: 'panel-established',
        suspended: true,
        suspendedSince: '2023-03-23',
      });
    });

    it('reports it resumed, then withdrawn and not suspended', () => {
      expect(record.stateOn('2023-04-02').disputes[0]).toMatchObject({ suspended: false });
      expect(record.stateOn('2023-06-02').disputes[0]).toMatchObject({
        stage: 'withdrawn',
        suspended: false,
        since: '2023-06-01',
      });
    });

    it('creates a dispute first seen when withdrawn, with the actor as complainant, and warns', () => {
      const state = given(PAIR, disputeWithdrawn('KOR', '2023-03-23', 'DS590', { id: 'w' })).stateOn(
        '2023-04-01',
      );
      expect(state.disputes[0]).toMatchObject({ complainant: 'KOR', respondent: 'JPN', stage: 'withdrawn' });
      expect(state.warnings).toEqual([
        expect.objectContaining({ code: 'beginning-not-recorded', eventId: 'w' }),
      ]);
    });

    it('resuming a dispute that is not suspended warns', () => {
      const state = given(
        PAIR,
        disputeFiled('KOR', '2019-09-11', 'DS590'),
        disputeResumed('KOR', '2019-10-01', 'DS590', { id: 'r' }),
      ).stateOn('2019-12-01');
      expect(state.warnings).toEqual([expect.objectContaining({ code: 'not-in-state', eventId: 'r' })]);
    });
  });

  describe('rulings, talks and other developments', () => {
    it('appends rulings with their court, holding and country', () => {
      const state = given(
        PAIR,
        ruling('KOR', '2018-10-30', { id: 'r1', court: 'Supreme Court of Korea', caseId: '2013Da61381' }),
      ).stateOn('2019-01-01');
      expect(state.rulings).toEqual([
        {
          date: '2018-10-30',
          country: 'KOR',
          court: 'Supreme Court of Korea',
          holding: 'liable',
          caseId: '2013Da61381',
          eventId: 'r1',
        },
      ]);
    });

    it('counts talks and keeps the latest in valid time as last, whatever the recording order', () => {
      const state = given(
        PAIR,
        talks('JPN', '2019-12-16', 'director-general', {
          id: 'b',
          format: 'in-person',
          forum: 'Policy Dialogue',
        }),
        talks('KOR', '2019-07-12', 'working', { id: 'a' }),
      ).stateOn('2020-01-01');
      expect(state.talks).toEqual({
        count: 2,
        last: {
          date: '2019-12-16',
          level: 'director-general',
          format: 'in-person',
          forum: 'Policy Dialogue',
          host: 'JPN',
          eventId: 'b',
        },
      });
    });

    it('keeps other developments out of the state', () => {
      const state = given(PAIR, other('JPN', '2019-07-01', 'boycott')).stateOn('2020-01-01');
      expect(state).toEqual({ ...initialState(PAIR, '2020-01-01', '2030-01-01T00:00:00.000Z'), revision: 0 });
    });
  });

  describe('dates and certainty', () => {
    it('counts a day-precision event dated asOf as certain', () => {
      const record = given(PAIR, listRemoved('JPN', '2019-08-28'));
      expect(record.stateOn('2019-08-28').measures.JPN!.preferentialList.status).toBe('removed');
      expect(record.stateOn('2019-08-27').measures.JPN!.preferentialList.status).toBe('unknown');
      expect(record.stateOn('2019-08-27').uncertain).toEqual([]);
    });

    it('lists a month-precision event as uncertain during its month and applies it from its last day', () => {
      const record = given(PAIR, listRemoved('JPN', '2019-08', { id: 'm', summary: 'removed in August' }));
      const during = record.stateOn('2019-08-15');
      expect(during.measures.JPN!.preferentialList.status).toBe('unknown');
      expect(during.uncertain).toEqual([
        {
          eventId: 'm',
          type: 'preferential-list-removed',
          date: '2019-08',
          summary: 'removed in August',
          actor: 'JPN',
          subject: 'preferential trade list',
        },
      ]);
      const lastDay = record.stateOn('2019-08-31');
      expect(lastDay.measures.JPN!.preferentialList).toMatchObject({ status: 'removed', since: '2019-08' });
      expect(lastDay.uncertain).toEqual([]);
    });

    it('applies a year-precision event only from 31 December and lists it as uncertain from 1 January', () => {
      const record = given(PAIR, ruling('KOR', '2018'));
      expect(record.stateOn('2017-12-31').uncertain).toEqual([]);
      expect(record.stateOn('2018-01-01').uncertain).toHaveLength(1);
      expect(record.stateOn('2018-12-30').rulings).toEqual([]);
      expect(record.stateOn('2018-12-31').rulings).toHaveLength(1);
    });

    it('widens the interval to dateEnd: uncertain until the last day of dateEnd', () => {
      const record = given(PAIR, talks('JPN', '2019-07-12', 'working', { dateEnd: '2019-07-14', id: 't' }));
      expect(record.stateOn('2019-07-13').uncertain).toEqual([
        expect.objectContaining({ eventId: 't', dateEnd: '2019-07-14' }),
      ]);
      expect(record.stateOn('2019-07-13').talks.count).toBe(0);
      expect(record.stateOn('2019-07-14').talks.count).toBe(1);
    });

    it('folds by interval start, then end, then revision, whatever the recording order', () => {
      const state = given(
        PAIR,
        lifted('JPN', '2019-08-01', MEASURE),
        tightened('JPN', '2019-07-04', MEASURE, ['a']),
      ).stateOn('2019-09-01');
      expect(state.measures.JPN!.exportControls).toEqual([]);
      expect(state.warnings).toEqual([]);
    });

    it('folds a day-precision event before a month-precision one starting the same day', () => {
      // 2019-08 is 08-01..08-31 and 2019-08-01 ends first: same start, so the day comes first.
      const state = given(
        PAIR,
        listRemoved('JPN', '2019-08', { id: 'month' }),
        listRestored('JPN', '2019-08-01', { id: 'day' }),
      ).stateOn('2019-09-01');
      expect(state.measures.JPN!.preferentialList).toMatchObject({ status: 'removed', eventId: 'month' });
    });

    it('reports the last revision known, even when that event is not applied by asOf', () => {
      const record = given(PAIR, listRemoved('JPN', '2019-08-28'), listRestored('JPN', '2023-07-21'));
      expect(record.stateOn('2019-09-01').revision).toBe(1);
      expect(record.stateOn('2019-09-01', '2026-01-01T00:00:00.000Z').revision).toBe(0);
    });
  });

  describe('phases and pending', () => {
    it('lists an announced measure as pending, not applied', () => {
      const state = given(
        PAIR,
        tightened('JPN', '2019-07-01', MEASURE, ['photoresist'], {
          id: 'a',
          phase: 'announced',
          summary: 'announced',
        }),
      ).stateOn('2019-07-02');
      expect(state.measures.JPN!.exportControls).toEqual([]);
      expect(state.pending).toEqual([
        {
          eventId: 'a',
          type: 'export-control-tightened',
          date: '2019-07-01',
          phase: 'announced',
          summary: 'announced',
          actor: 'JPN',
          subject: MEASURE,
        },
      ]);
    });

    it('clears a pending step when an effective event for the same subject starting on or after it is applied', () => {
      const record = given(
        PAIR,
        tightened('JPN', '2019-07-01', MEASURE, ['photoresist'], { phase: 'announced' }),
        tightened('JPN', '2019-07-02', MEASURE, ['photoresist'], { phase: 'decided' }),
        tightened('JPN', '2019-07-04', MEASURE, ['photoresist']),
      );
      expect(record.stateOn('2019-07-03').pending.map((p) => p.phase)).toEqual(['announced', 'decided']);
      const effective = record.stateOn('2019-07-04');
      expect(effective.pending).toEqual([]);
      expect(effective.measures.JPN!.exportControls).toHaveLength(1);
    });

    it('keeps a pending step when the effective event is about another subject, actor or type, or starts before it', () => {
      const state = given(
        PAIR,
        tightened('JPN', '2019-07-01', MEASURE, ['a'], { phase: 'announced', id: 'p' }),
        tightened('JPN', '2019-06-01', MEASURE, ['a']),
        tightened('JPN', '2019-07-05', 'other-measure', ['a']),
        tightened('KOR', '2019-07-05', MEASURE, ['a']),
        eased('JPN', '2019-07-05', MEASURE),
      ).stateOn('2019-08-01');
      expect(state.pending.map((p) => p.eventId)).toEqual(['p']);
    });

    it('lists an announced step only once certain; before that it is uncertain with its phase', () => {
      const record = given(PAIR, listRemoved('JPN', '2019-08', { phase: 'decided', id: 'd' }));
      expect(record.stateOn('2019-08-10').uncertain).toEqual([
        expect.objectContaining({ eventId: 'd', phase: 'decided' }),
      ]);
      expect(record.stateOn('2019-08-10').pending).toEqual([]);
      expect(record.stateOn('2019-08-31').pending).toEqual([expect.objectContaining({ eventId: 'd' })]);
    });

    it('matches list steps on actor and list name', () => {
      const state = given(
        PAIR,
        listRemoved('JPN', '2019-08-02', { phase: 'decided', id: 'white' }),
        listRemoved('JPN', '2019-08-02', { phase: 'decided', id: 'other', list: 'catch-all list' }),
        listRemoved('JPN', '2019-08-28'),
      ).stateOn('2019-09-01');
      expect(state.pending.map((p) => p.eventId)).toEqual(['other']);
    });

    it('clears a pending easing when the whole measure is lifted', () => {
      const state = given(
        PAIR,
        tightened('JPN', '2019-07-04', MEASURE, ['a']),
        eased('JPN', '2022-01-01', MEASURE, ['a'], { phase: 'announced' }),
        lifted('JPN', '2022-03-01', MEASURE),
      ).stateOn('2022-04-01');
      expect(state.pending).toEqual([]);
    });

    it('keeps a pending easing when only some items are lifted', () => {
      const state = given(
        PAIR,
        tightened('JPN', '2019-07-04', MEASURE, ['a', 'b']),
        eased('JPN', '2022-01-01', MEASURE, ['a'], { phase: 'announced', id: 'p' }),
        lifted('JPN', '2022-03-01', MEASURE, ['b']),
      ).stateOn('2022-04-01');
      expect(state.pending.map((p) => p.eventId)).toEqual(['p']);
    });
  });

  describe('knownAt', () => {
    it('leaves out events recorded after knownAt', () => {
      const events = recordAll(PAIR, [listRemoved('JPN', '2019-08-28'), listRestored('JPN', '2019-09-01')], {
        start: '2026-01-01T00:00:00.000Z',
        stepMs: 60_000,
      });
      const state = stateAt(events, { pair: PAIR, asOf: '2020-01-01', knownAt: '2026-01-01T00:00:30.000Z' });
      expect(state.measures.JPN!.preferentialList.status).toBe('removed');
      expect(state.revision).toBe(0);
    });

    it('accepts knownAt with another zone offset', () => {
      const events = recordAll(PAIR, [listRemoved('JPN', '2019-08-28')], {
        start: '2026-01-01T00:00:00.000Z',
      });
      const state = stateAt(events, { pair: PAIR, asOf: '2020-01-01', knownAt: '2026-01-01T09:00:00+09:00' });
      expect(state.revision).toBe(0);
      expect(
        stateAt(events, { pair: PAIR, asOf: '2020-01-01', knownAt: '2026-01-01T08:59:59+09:00' }).revision,
      ).toBe(-1);
    });

    it('ignores events of another pair', () => {
      const events = [...recordAll('CHN-KOR', [listRemoved('KOR', '2019-08-28')])];
      expect(
        stateAt(events, { pair: PAIR, asOf: '2020-01-01', knownAt: '2030-01-01T00:00:00.000Z' }).revision,
      ).toBe(-1);
    });
  });

  describe('the fold pieces', () => {
    const events = given(
      PAIR,
      tightened('JPN', '2019-07-04', MEASURE, ['a']),
      listRemoved('JPN', '2019-08-28'),
      lifted('JPN', '2023-03-16', MEASURE),
    ).events;

    it('foldFrom a checkpoint gives the same fold as from the start, and leaves the checkpoint as it was', () => {
      const items = orderForFold(resolveCorrections(events));
      const checkpoint = foldFrom(initialState(PAIR), items.slice(0, 1));
      const frozen = structuredClone(checkpoint);
      expect(foldFrom(checkpoint, items.slice(1))).toEqual(foldFrom(initialState(PAIR), items));
      expect(checkpoint).toEqual(frozen);
    });

    it('insertForFold places later developments exactly where orderForFold puts them', () => {
      fc.assert(
        fc.property(streamInputs, fc.array(development, { minLength: 1, maxLength: 6 }), (first, later) => {
          const before = recordAll(PAIR, first);
          const added = recordAll(PAIR, later, { after: before });
          const previous = orderForFold(resolveCorrections(before));
          const { items, firstChanged } = insertForFold(previous, added);
          const rebuilt = orderForFold(resolveCorrections([...before, ...added]));
          expect(items).toEqual(rebuilt);
          // Everything before the first new item is unchanged, and that item is new.
          expect(items.slice(0, firstChanged)).toEqual(previous.slice(0, firstChanged));
          if (firstChanged < items.length) expect(added).toContain(items[firstChanged]!.event);
          expect(firstChanged).toBeLessThanOrEqual(previous.length);
        }),
        { numRuns: 300 },
      );
    });

    it('insertForFold refuses a correction or retraction, whose resolution it cannot reuse', () => {
      const retraction = recordAll(PAIR, [retracted(events[0]!.id)], { after: events });
      expect(() => insertForFold(orderForFold(resolveCorrections(events)), retraction)).toThrow(
        /no corrections or retractions/,
      );
    });

    it('evolve returns a new state and leaves its argument unchanged', () => {
      const start = initialState(PAIR);
      const next = evolve(start, events[0]!);
      expect(start.measures.JPN!.exportControls).toEqual([]);
      expect(next.measures.JPN!.exportControls).toHaveLength(1);
    });

    it('keeps the state plain JSON', () => {
      const state = stateAt(events, { pair: PAIR, asOf: '2020-01-01', knownAt: '2030-01-01T00:00:00.000Z' });
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    });
  });
});
