import {
  corrected,
  given,
  listRemoved,
  listRestored,
  NOW,
  retracted,
  talks,
  tightened,
} from '../test/support/recorded-events';
import { auditPage } from './audit';
import { changesBetween } from './changes';
import { eventView } from './event-view';
import { timeline } from './timeline';

const PAIR = 'JPN-KOR';

const record = given(
  PAIR,
  talks('JPN', '2019-12-16', 'director-general', { id: 'talks' }),
  listRemoved('JPN', '2019-08', { id: 'list' }),
  tightened('JPN', '2019-07-04', 'm', ['photoresist'], { id: 'tight' }),
  corrected(
    'list',
    { date: '2019-08-28', sources: [{ publisher: 'Cabinet Order' }] },
    { id: 'fix', date: '2026-01-01' },
  ),
  retracted('talks', { id: 'gone', date: '2026-01-01' }),
  listRestored('JPN', '2023-07-21', { id: 'back' }),
);

describe('timeline', () => {
  const entries = timeline(record.events, { pair: PAIR, knownAt: NOW });

  it('lists the events in valid-time order, corrections applied', () => {
    expect(entries.map((e) => e.id)).toEqual(['tight', 'list', 'talks', 'back', 'fix', 'gone']);
    expect(entries[1]).toMatchObject({
      date: '2019-08-28',
      sources: [{ publisher: 'Cabinet Order' }],
      correctedBy: ['fix'],
      retractedBy: null,
      retracted: false,
    });
  });

  it('keeps a retracted event, marked with the retraction', () => {
    expect(entries.find((e) => e.id === 'talks')).toMatchObject({ retracted: true, retractedBy: 'gone' });
  });

  it('shows corrections and retractions by their own date, with the event they name', () => {
    expect(entries.find((e) => e.id === 'fix')!.refersTo).toEqual({ eventId: 'list', applied: true });
    expect(entries.find((e) => e.id === 'gone')!.refersTo).toEqual({ eventId: 'talks', applied: true });
  });

  it('filters by dates the intervals touch and by types', () => {
    expect(
      timeline(record.events, { pair: PAIR, knownAt: NOW, from: '2019-08-01', to: '2019-12-31' }).map(
        (e) => e.id,
      ),
    ).toEqual(['list', 'talks']);
    expect(
      timeline(record.events, {
        pair: PAIR,
        knownAt: NOW,
        types: ['preferential-list-removed', 'preferential-list-restored'],
      }).map((e) => e.id),
    ).toEqual(['list', 'back']);
  });

  it('as known before the correction, shows the event as first recorded', () => {
    const earlier = timeline(record.events, { pair: PAIR, knownAt: record.event('tight').recordedAt });
    expect(earlier.find((e) => e.id === 'list')).toMatchObject({ date: '2019-08', correctedBy: [] });
  });
});

describe('audit', () => {
  it('lists every event in revision order exactly as recorded, with the chain fields', () => {
    const { entries, nextRevision } = auditPage(record.events);
    expect(entries.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(entries[1]).toEqual({
      revision: 1,
      id: 'list',
      type: 'preferential-list-removed',
      date: '2019-08',
      recordedAt: record.event('list').recordedAt,
      recordedBy: 'test:recorder',
      prevHash: record.event('talks').hash,
      hash: record.event('list').hash,
    });
    expect(nextRevision).toBeNull();
  });

  it('pages from a revision and says where the next page starts', () => {
    const page = auditPage(record.events, { fromRevision: 2, limit: 3 });
    expect(page.entries.map((e) => e.revision)).toEqual([2, 3, 4]);
    expect(page.nextRevision).toBe(5);
  });
});

describe('one event', () => {
  it('shows it as recorded and as read after corrections, with the corrections', () => {
    const view = eventView(record.events, { pair: PAIR, id: 'list', knownAt: NOW })!;
    expect(view.revision).toBe(1);
    expect(view.recorded.date).toBe('2019-08');
    expect(view.effective!.date).toBe('2019-08-28');
    expect(view.correctedBy).toEqual(['fix']);
    expect(view.retractedBy).toBeNull();
  });

  it('shows effective null for a retracted event', () => {
    expect(eventView(record.events, { pair: PAIR, id: 'talks', knownAt: NOW })).toMatchObject({
      effective: null,
      retractedBy: 'gone',
    });
  });

  it('does not know an event recorded after knownAt', () => {
    expect(
      eventView(record.events, { pair: PAIR, id: 'back', knownAt: record.event('tight').recordedAt }),
    ).toBeUndefined();
  });
});

describe('what changed our view', () => {
  const since = record.event('tight').recordedAt;
  const until = record.event('back').recordedAt;
  const changes = changesBetween(record.events, { pair: PAIR, asOf: '2019-12-31', since, until });

  it('gives the state at asOf as known at each moment', () => {
    expect(changes.since).toMatchObject({ knownAt: since, state: { revision: 2 } });
    expect(changes.until).toMatchObject({ knownAt: until, state: { revision: 5 } });
    expect(changes.since.state.talks.count).toBe(1);
    expect(changes.until.state.talks.count).toBe(0);
  });

  it('lists the events recorded between that bear on asOf, with their effect', () => {
    expect(changes.events.map((e) => [e.id, e.effect])).toEqual([
      ['fix', 'corrects list: date, sources'],
      ['gone', 'retracts talks'],
    ]);
  });

  it('lists a development recorded between that starts by asOf as applied, and leaves out later ones', () => {
    const later = given(PAIR, talks('JPN', '2019-12-16', 'working')).and(
      listRemoved('JPN', '2019-08-28', { id: 'new' }),
      listRestored('JPN', '2023-07-21', { id: 'future' }),
    );
    const result = changesBetween(later.events, {
      pair: PAIR,
      asOf: '2019-12-31',
      since: later.events[0]!.recordedAt,
      until: NOW,
    });
    expect(result.events.map((e) => [e.id, e.effect])).toEqual([['new', 'applied']]);
  });
});
