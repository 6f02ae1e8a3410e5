import fc from 'fast-check';
import { EVENT_TYPES, type EventDataMap, type EventType } from './catalogue';
import { DATA_EXAMPLES } from './event-examples';
import { parseEvent, parseImportLine, parsePairParam, SERVER_SET_FIELDS } from './parse-event';
import type { ParseResult, ValidationProblem } from './validation';

const PAIR = 'JPN-KOR';
const EVENT_ID = '0f6e3c1a-3b5b-4e4b-9e0b-1c2d3e4f5a6b';

/** A valid development envelope of `type` with `data`, overridable field by field. */
function envelope<K extends EventType>(
  type: K,
  data: EventDataMap[K] | Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: EVENT_ID,
    type,
    date: '2019-07-04',
    actor: 'JPN',
    summary: 'Japan tightens export controls on three semiconductor materials bound for South Korea.',
    data,
    sources: [
      {
        publisher: 'METI',
        url: 'https://www.meti.go.jp/english/press/2019/0701_001.html',
        publishedOn: '2019-07-01',
      },
    ],
    ...overrides,
  };
}

const tightened = (overrides: Record<string, unknown> = {}) =>
  envelope('export-control-tightened', DATA_EXAMPLES['export-control-tightened'].full, overrides);

function errorsOf(result: ParseResult<unknown>): ValidationProblem[] {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function pathsOf(result: ParseResult<unknown>): string[] {
  return errorsOf(result).map((problem) => problem.path);
}

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('parseEvent: the catalogue', () => {
  describe.each(EVENT_TYPES.map((type) => [type]))('%s', (type) => {
    const examples = DATA_EXAMPLES[type];

    it('accepts its minimal data', () => {
      const result = parseEvent(envelope(type, examples.minimal), { pair: PAIR });
      expect(valueOf(result).data).toEqual(examples.minimal);
    });

    it('accepts its full data and returns it unchanged', () => {
      const input = envelope(type, examples.full);
      expect(valueOf(parseEvent(input, { pair: PAIR }))).toEqual(input);
    });

    const required = Object.keys(examples.minimal);
    if (required.length === 0) {
      it('accepts empty data: it has no required field', () => {
        expect(parseEvent(envelope(type, {})).ok).toBe(true);
      });
    } else {
      it.each(required.map((field) => [field]))('refuses its data without %s', (field) => {
        const data: Record<string, unknown> = { ...examples.minimal };
        delete data[field];
        expect(errorsOf(parseEvent(envelope(type, data), { pair: PAIR }))).toEqual([
          { path: `data.${field}`, message: 'is required' },
        ]);
      });
    }

    it('refuses a field its data does not have, naming it', () => {
      const errors = errorsOf(parseEvent(envelope(type, { ...examples.full, colour: 'red' })));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path: 'data.colour' });
      expect(errors[0]!.message).toContain(`${type} data`);
    });
  });

  it('refuses a type that is not in the catalogue, with a bounded message', () => {
    const huge = 'x'.repeat(1_000_000);
    for (const type of ['export-control-tighten', huge, 42, null]) {
      const errors = errorsOf(parseEvent(tightened({ type })));
      expect(errors).toEqual([{ path: 'type', message: expect.stringContaining('must be one of') }]);
      expect(errors[0]!.message.length).toBeLessThan(1000);
    }
  });

  it('refuses a development without date, actor or sources, each by name', () => {
    const input = tightened();
    delete input.date;
    delete input.actor;
    delete input.sources;
    expect(pathsOf(parseEvent(input)).sort()).toEqual(['actor', 'date', 'sources']);
  });

  it.each([['event-corrected' as const], ['event-retracted' as const]])(
    'accepts %s without date, actor and sources (the service fills them)',
    (type) => {
      const input = { type, summary: 'Corrects the date of the ruling.', data: DATA_EXAMPLES[type].minimal };
      expect(valueOf(parseEvent(input, { pair: PAIR }))).toEqual(input);
    },
  );

  it('refuses an envelope without summary or data', () => {
    const input = tightened();
    delete input.summary;
    delete input.data;
    expect(pathsOf(parseEvent(input)).sort()).toEqual(['data', 'summary']);
  });
});

describe('parseEvent: unknown fields', () => {
  it.each([
    ['the envelope', tightened({ colour: 'red' }), 'colour'],
    ['a server-set field in the envelope', tightened({ revision: 3 }), 'revision'],
    ['the pair in the envelope', tightened({ pair: PAIR }), 'pair'],
    [
      'data',
      tightened({ data: { ...DATA_EXAMPLES['export-control-tightened'].full, colour: 'red' } }),
      'data.colour',
    ],
    [
      'the second source',
      tightened({ sources: [{ publisher: 'METI' }, { publisher: 'Yonhap', colour: 'red' }] }),
      'sources[1].colour',
    ],
    [
      'the changes of a correction',
      envelope('event-corrected', {
        eventId: EVENT_ID.replace('0f', '1f'),
        reason: 'r',
        changes: { summary: 's', colour: 'red' },
      }),
      'data.changes.colour',
    ],
    [
      'a source in the changes of a correction',
      envelope('event-corrected', {
        eventId: EVENT_ID.replace('0f', '1f'),
        reason: 'r',
        changes: { sources: [{ publisher: 'Yonhap', colour: 'red' }] },
      }),
      'data.changes.sources[0].colour',
    ],
    ['an odd key, quoted in the path', tightened({ 'odd key': 1 }), '["odd key"]'],
  ])('refuses an unknown field of %s at its path', (_where, input, path) => {
    expect(pathsOf(parseEvent(input))).toEqual([path]);
  });
});

describe('parseEvent: dates', () => {
  it.each([['2019'], ['2019-07'], ['2019-07-04'], ['2020-02-29'], ['0001-01-01']])('accepts %s', (date) => {
    expect(valueOf(parseEvent(tightened({ date }))).date).toBe(date);
  });

  it.each([
    ['2019-02-30'],
    ['2019-13'],
    ['2019-00'],
    ['19-07'],
    ['+002019'],
    ['2019-7-4'],
    ['2019-07-04T00:00:00Z'],
    ['2019/07/04'],
    ['0000'],
    [''],
    [20190704],
    [null],
  ])('refuses %p wherever a date goes', (bad) => {
    const input = tightened({
      date: bad,
      dateEnd: bad,
      sources: [{ publisher: 'METI', publishedOn: bad }],
    });
    expect(pathsOf(parseEvent(input)).sort()).toEqual(['date', 'dateEnd', 'sources[0].publishedOn']);
    const notified = envelope('agreement-termination-notified', { agreementId: 'gsomia', terminatesOn: bad });
    expect(pathsOf(parseEvent(notified))).toEqual(['data.terminatesOn']);
  });

  it('explains a date that does not exist in the calendar', () => {
    expect(errorsOf(parseEvent(tightened({ date: '2019-02-30' })))).toEqual([
      { path: 'date', message: '2019-02-30 does not exist in the calendar' },
    ]);
  });

  it('refuses a dateEnd before date', () => {
    expect(errorsOf(parseEvent(tightened({ date: '2019-07-04', dateEnd: '2019-07-03' })))).toEqual([
      { path: 'dateEnd', message: 'must not be before date (2019-07-04)' },
    ]);
  });

  it('refuses a dateEnd that would end a year-precision date early', () => {
    expect(pathsOf(parseEvent(tightened({ date: '2019', dateEnd: '2019-03' })))).toEqual(['dateEnd']);
  });

  it.each([
    ['2019-07-04', '2019-07-04'],
    ['2019-07-04', '2019-07'],
    ['2019-07-04', '2020'],
    ['2019-07', '2019-08-02'],
  ])('accepts date %s with dateEnd %s', (date, dateEnd) => {
    expect(valueOf(parseEvent(tightened({ date, dateEnd })))).toMatchObject({ date, dateEnd });
  });

  it('refuses a correction whose new dateEnd is before its new date', () => {
    const input = envelope('event-corrected', {
      eventId: EVENT_ID.replace('0f', '1f'),
      reason: 'r',
      changes: { date: '2019-08-02', dateEnd: '2019-07' },
    });
    expect(pathsOf(parseEvent(input))).toEqual(['data.changes.dateEnd']);
  });
});

describe('parseEvent: countries', () => {
  it.each([['kor'], ['XXX'], ['KR'], ['KORE'], [410]])('refuses actor %p', (actor) => {
    expect(pathsOf(parseEvent(tightened({ actor })))).toEqual(['actor']);
  });

  it("refuses an actor that is not one of the pair's countries", () => {
    expect(errorsOf(parseEvent(tightened({ actor: 'CHN' }), { pair: 'kor-jpn' }))).toEqual([
      { path: 'actor', message: "must be one of the pair's countries: JPN, KOR" },
    ]);
  });

  it('accepts either country of the pair as actor, whatever the case and order of the pair', () => {
    expect(valueOf(parseEvent(tightened({ actor: 'KOR' }), { pair: 'kor-JPN' })).actor).toBe('KOR');
  });

  it('reports a context pair that is not a pair', () => {
    expect(pathsOf(parseEvent(tightened(), { pair: 'JPN-JPN' }))).toEqual(['pair']);
  });
});

describe('parseEvent: sources', () => {
  it.each([
    ['javascript:alert(1)'],
    ['ftp://ftp.example.org/file'],
    ['data:text/html,<script>alert(1)</script>'],
    ['www.example.org/page'],
    ['http://'],
    ['https://exa mple.org/'],
    [''],
  ])('refuses the url %p', (url) => {
    expect(pathsOf(parseEvent(tightened({ sources: [{ publisher: 'METI', url }] })))).toEqual([
      'sources[0].url',
    ]);
  });

  it.each([['http://example.org/a?b=c#d'], ['https://www.meti.go.jp/english/']])(
    'accepts the url %s',
    (url) => {
      expect(valueOf(parseEvent(tightened({ sources: [{ publisher: 'METI', url }] }))).sources).toEqual([
        { publisher: 'METI', url },
      ]);
    },
  );

  it('refuses no sources, more than 20, and a source without publisher', () => {
    const many = Array.from({ length: 21 }, () => ({ publisher: 'METI' }));
    expect(pathsOf(parseEvent(tightened({ sources: [] })))).toEqual(['sources']);
    expect(pathsOf(parseEvent(tightened({ sources: many })))).toEqual(['sources']);
    expect(pathsOf(parseEvent(tightened({ sources: [{ title: 'Untitled' }] })))).toEqual([
      'sources[0].publisher',
    ]);
    expect(pathsOf(parseEvent(tightened({ sources: [null, 'METI'] })))).toEqual(['sources[0]', 'sources[1]']);
  });
});

describe('parseEvent: bounds and shapes', () => {
  const data = DATA_EXAMPLES['export-control-tightened'].full;

  it('counts characters, not UTF-16 units: 500 emoji make a summary of 500', () => {
    expect(valueOf(parseEvent(tightened({ summary: '🌏'.repeat(500) }))).summary).toHaveLength(1000);
  });

  it.each([
    ['an empty summary', { summary: '' }, 'summary'],
    ['a blank summary', { summary: '   \n' }, 'summary'],
    ['a summary of 501 characters', { summary: 'x'.repeat(501) }, 'summary'],
    ['a summary of 501 emoji', { summary: '🌏'.repeat(501) }, 'summary'],
    ['a note of 4001 characters', { note: 'x'.repeat(4001) }, 'note'],
    ['a null note', { note: null }, 'note'],
    ['an id that is not a UUID', { id: 'event-1' }, 'id'],
    ['data that is an array', { data: [data] }, 'data'],
    ['no items', { data: { ...data, items: [] } }, 'data.items'],
    [
      '201 items',
      { data: { ...data, items: Array.from({ length: 201 }, (_, i) => `item ${i}`) } },
      'data.items',
    ],
    ['a repeated item', { data: { ...data, items: ['photoresist', 'photoresist'] } }, 'data.items'],
    ['a blank second item', { data: { ...data, items: ['photoresist', ' '] } }, 'data.items[1]'],
    ['a number as an item', { data: { ...data, items: ['photoresist', 7] } }, 'data.items[1]'],
    ['an unknown phase', { data: { ...data, phase: 'done' } }, 'data.phase'],
  ])('refuses %s', (_what, overrides, path) => {
    expect(pathsOf(parseEvent(tightened(overrides)))).toEqual([path]);
  });

  it.each([['ds590'], ['DS'], ['DS0590'], ['DS590a'], [590]])('refuses the dispute id %p', (disputeId) => {
    expect(pathsOf(parseEvent(envelope('wto-dispute-filed', { disputeId })))).toEqual(['data.disputeId']);
  });

  it.each([
    ['talks-held', { level: 'summit' }, 'data.level'],
    ['talks-held', { level: 'leader', format: 'letter' }, 'data.format'],
    ['wto-dispute-stage-reached', { disputeId: 'DS590', stage: 'consultations' }, 'data.stage'],
  ] as const)('refuses a value outside the enumeration in %s', (type, data, path) => {
    const errors = errorsOf(parseEvent(envelope(type, data)));
    expect(errors).toEqual([{ path, message: expect.stringMatching(/^must be one of: /) }]);
  });

  it('reports every problem at once, not the first', () => {
    const input = tightened({
      date: '2019-02-30',
      actor: 'kor',
      summary: '',
      colour: 'red',
      data: { measureId: '', items: ['photoresist', 3], phase: 'done' },
      sources: [{ publisher: 'METI', url: 'javascript:alert(1)' }, { url: 'ftp://x' }],
    });
    expect(pathsOf(parseEvent(input)).sort()).toEqual(
      [
        'colour',
        'date',
        'actor',
        'summary',
        'sources[0].url',
        'sources[1].publisher',
        'sources[1].url',
        'data.measureId',
        'data.items[1]',
        'data.phase',
      ].sort(),
    );
  });

  it('lists at most 100 problems and counts the rest', () => {
    const input: Record<string, unknown> = tightened();
    for (let i = 0; i < 5000; i++) input[`extra${i}`] = i;
    const errors = errorsOf(parseEvent(input));
    expect(errors).toHaveLength(101);
    expect(errors[100]).toEqual({ path: '', message: 'and 4900 more problems' });
  });
});

describe('parseEvent: corrections', () => {
  const correction = (changes: unknown, overrides: Record<string, unknown> = {}) =>
    envelope(
      'event-corrected',
      { eventId: EVENT_ID.replace('0f', '1f'), reason: 'Wrong date.', changes },
      overrides,
    );

  it.each([['type'], ['actor'], ['pair']])('refuses to correct %s, saying to retract instead', (field) => {
    expect(errorsOf(parseEvent(correction({ summary: 's', [field]: 'x' })))).toEqual([
      {
        path: `data.changes.${field}`,
        message: `${field} can never be corrected: retract the event and record it anew`,
      },
    ]);
  });

  it('refuses changes that change nothing', () => {
    expect(errorsOf(parseEvent(correction({})))).toEqual([
      { path: 'data.changes', message: 'must change at least one of date, dateEnd, summary, data, sources' },
    ]);
  });

  it('keeps dateEnd: null, which removes the end date', () => {
    expect(valueOf(parseEvent(correction({ dateEnd: null }))).data).toMatchObject({
      changes: { dateEnd: null },
    });
  });

  it('keeps the nulls of a data merge patch, which remove fields', () => {
    const changes = { data: { instrument: null, items: ['photoresist'] } };
    expect(valueOf(parseEvent(correction(changes))).data).toMatchObject({ changes });
  });

  it.each([
    ['an array', []],
    ['a string', 'phase=effective'],
    ['nested deeper than 8 levels', { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }],
    ['a string of 4001 characters', { note: 'x'.repeat(4001) }],
    ['more than 1000 values', { items: Array.from({ length: 1001 }, (_, i) => i) }],
  ])('refuses a data patch that is %s', (_what, data) => {
    expect(pathsOf(parseEvent(correction({ data })))).toEqual(['data.changes.data']);
  });

  it('validates replacement sources as sources', () => {
    expect(pathsOf(parseEvent(correction({ sources: [] })))).toEqual(['data.changes.sources']);
    expect(pathsOf(parseEvent(correction({ sources: [{ publisher: 'METI', url: 'ftp://x' }] })))).toEqual([
      'data.changes.sources[0].url',
    ]);
  });

  it('refuses a correction that names itself', () => {
    const input = envelope('event-corrected', { eventId: EVENT_ID, reason: 'r', changes: { summary: 's' } });
    expect(pathsOf(parseEvent(input))).toEqual(['data.eventId']);
  });
});

describe('parseEvent: the value returned', () => {
  it('is a fresh plain object without undefined values, with UUIDs in lower case', () => {
    const input = tightened({ id: EVENT_ID.toUpperCase(), note: undefined });
    const value = valueOf(parseEvent(input));
    expect(value).not.toBe(input);
    expect(Object.keys(value)).not.toContain('note');
    expect(value.id).toBe(EVENT_ID);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value.sources![0])).toBe(Object.prototype);
    expect(value.data).not.toBe(input.data);
  });

  it('lower-cases the target of a retraction', () => {
    const input = envelope(
      'event-retracted',
      { eventId: EVENT_ID.toUpperCase(), reason: 'r' },
      { id: undefined },
    );
    expect(valueOf(parseEvent(input)).data).toEqual({ eventId: EVENT_ID, reason: 'r' });
  });
});

describe('parseEvent: hostile input', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', '{"type":"talks-held"}'],
    ['an array', [tightened()]],
    ['a function', () => tightened()],
    ['a Date', new Date(0)],
    ['a Map', new Map([['type', 'talks-held']])],
  ])('answers %s with a problem at the root', (_what, input) => {
    expect(errorsOf(parseEvent(input))).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('refuses prototype keys anywhere without polluting any prototype', () => {
    const json = JSON.stringify(tightened({ sources: [{ publisher: 'METI' }] }))
      .replace('{"id"', '{"__proto__":{"polluted":true},"id"')
      .replace('{"measureId"', '{"constructor":{"prototype":{"polluted":true}},"measureId"')
      .replace('{"publisher"', '{"prototype":1,"publisher"');
    const errors = errorsOf(parseEvent(JSON.parse(json)));
    expect(errors.map((e) => e.path).sort()).toEqual([
      '__proto__',
      'data.constructor',
      'sources[0].prototype',
    ]);
    expect(errors.every((e) => e.message === 'is not allowed: prototype keys are refused')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a prototype key deep in a correction patch', () => {
    const json =
      '{"type":"event-corrected","summary":"s","data":{"eventId":"' +
      EVENT_ID +
      '","reason":"r","changes":{"data":{"a":[{"b":{"__proto__":{"polluted":true}}}]}}}}';
    expect(errorsOf(parseEvent(JSON.parse(json)))).toEqual([
      { path: 'data.changes.data', message: 'must not use the key "__proto__"' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers objects whose reading throws with a problem', () => {
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    const getter = Object.defineProperty(tightened(), 'summary', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    expect(errorsOf(parseEvent(trap)).length).toBeGreaterThan(0);
    expect(errorsOf(parseEvent(getter)).length).toBeGreaterThan(0);
  });

  it('answers 100,000 levels of nesting without overflowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(pathsOf(parseEvent(tightened({ colour: deep })))).toEqual(['colour']);
    const correction = envelope('event-corrected', {
      eventId: EVENT_ID.replace('0f', '1f'),
      reason: 'r',
      changes: { data: deep },
    });
    expect(pathsOf(parseEvent(correction))).toEqual(['data.changes.data']);
  });

  it('never throws and always answers a value or at least one problem (arbitrary values)', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 6, withNullPrototype: true, withObjectString: true, withBigInt: true }),
        (input) => {
          const result = parseEvent(input, { pair: PAIR });
          return result.ok || (result.errors.length > 0 && result.errors.every(isProblem));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on envelope-shaped input with arbitrary parts', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'items', 'changes'),
    );
    const anything = fc.anything({ maxDepth: 5, key, withNullPrototype: true });
    const shaped = fc.record(
      {
        id: fc.oneof(fc.uuid(), anything),
        type: fc.oneof(fc.constantFrom(...EVENT_TYPES), anything),
        date: fc.oneof(fc.constantFrom('2019', '2019-07', '2019-02-30'), anything),
        dateEnd: anything,
        actor: fc.oneof(fc.constantFrom('JPN', 'KOR', 'kor'), anything),
        summary: fc.oneof(fc.string(), anything),
        data: fc.oneof(fc.dictionary(key, anything), anything),
        sources: fc.oneof(fc.array(fc.dictionary(key, anything)), anything),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (input) => {
        const result = parseEvent(input, { pair: PAIR });
        return result.ok || (result.errors.length > 0 && result.errors.every(isProblem));
      }),
      { numRuns: 2000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on deeply nested values wherever they are put', () => {
    const nested = fc
      .tuple(fc.integer({ min: 0, max: 20_000 }), fc.boolean(), fc.anything({ maxDepth: 2 }))
      .map(([depth, inArrays, bottom]) => {
        let value: unknown = bottom;
        for (let i = 0; i < depth; i++) value = inArrays ? [value] : { __proto__: null, n: value };
        return value;
      });
    const correction = (changes: unknown) =>
      envelope('event-corrected', { eventId: EVENT_ID.replace('0f', '1f'), reason: 'r', changes });
    const placements: Record<string, (value: unknown) => unknown> = {
      root: (value) => value,
      colour: (value) => tightened({ colour: value }),
      data: (value) => tightened({ data: value }),
      'data.items': (value) => tightened({ data: { measureId: 'm', items: value } }),
      sources: (value) => tightened({ sources: value }),
      changes: (value) => correction(value),
      'changes.data': (value) => correction({ data: value }),
    };
    fc.assert(
      fc.property(nested, fc.constantFrom(...Object.keys(placements)), (value, at) => {
        const input = placements[at]!(value);
        const result = parseEvent(input, { pair: PAIR });
        return result.ok || (result.errors.length > 0 && result.errors.every(isProblem));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every generated valid envelope (the generator is not vacuous)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_TYPES),
        fc.boolean(),
        fc.constantFrom('JPN', 'KOR'),
        (type, full, actor) => {
          const data = full ? DATA_EXAMPLES[type].full : DATA_EXAMPLES[type].minimal;
          return parseEvent(envelope(type, data, { actor }), { pair: PAIR }).ok;
        },
      ),
    );
  });
});

function isProblem(problem: ValidationProblem): boolean {
  return (
    typeof problem.path === 'string' && typeof problem.message === 'string' && problem.message.length > 0
  );
}

describe('parseImportLine', () => {
  const exported = {
    ...tightened(),
    pair: 'kor-jpn',
    revision: 12,
    recordedAt: '2026-11-28T10:00:00.000Z',
    recordedBy: 'system:seed',
    schemaVersion: 1,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  };

  it('reads an exported line as a new recording: canonical pair, server-set fields dropped', () => {
    const { pair, event } = valueOf(parseImportLine(exported));
    expect(pair).toBe('JPN-KOR');
    expect(event).toEqual(tightened());
    for (const field of SERVER_SET_FIELDS) expect(Object.keys(event)).not.toContain(field);
  });

  it('refuses a line without pair, or with a pair of one country', () => {
    const { pair: _pair, ...withoutPair } = exported;
    expect(errorsOf(parseImportLine(withoutPair))).toEqual([{ path: 'pair', message: 'is required' }]);
    expect(pathsOf(parseImportLine({ ...exported, pair: 'KOR-kor' }))).toEqual(['pair']);
  });

  it("refuses an actor outside the line's pair", () => {
    expect(pathsOf(parseImportLine({ ...exported, pair: 'CHN-KOR' }))).toEqual(['actor']);
  });

  it('refuses a line written by a newer schema version', () => {
    expect(pathsOf(parseImportLine({ ...exported, schemaVersion: 2 }))).toEqual(['schemaVersion']);
    expect(pathsOf(parseImportLine({ ...exported, schemaVersion: '1' }))).toEqual(['schemaVersion']);
  });

  it('upcasts a line of schema version 0 before reading it', () => {
    const line = {
      ...envelope('talks-held', { rank: 'summit', format: 'in-person' }),
      pair: PAIR,
      schemaVersion: 0,
    };
    expect(valueOf(parseImportLine(line)).event.data).toEqual({ level: 'leader', format: 'in-person' });
  });

  it('refuses a prototype key in a line that is upcast, without polluting', () => {
    const text = JSON.stringify({
      ...envelope('talks-held', { rank: 'summit' }),
      pair: PAIR,
      schemaVersion: 0,
    });
    const line: unknown = JSON.parse(text.replace('{"id"', '{"__proto__":{"polluted":true},"id"'));
    expect(pathsOf(parseImportLine(line))).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports the problems of the event with their paths', () => {
    expect(pathsOf(parseImportLine({ ...exported, date: '2019-13', colour: 1 })).sort()).toEqual([
      'colour',
      'date',
    ]);
  });

  it.each([[null], [[]], ['line']])('answers %p with a problem at the root', (input) => {
    expect(pathsOf(parseImportLine(input))).toEqual(['']);
  });
});

describe('parsePairParam', () => {
  it('reads kor-jpn as JPN-KOR', () => {
    expect(parsePairParam('kor-jpn')).toEqual({ ok: true, value: 'JPN-KOR' });
  });

  it.each([['JPN-JPN'], ['JPN'], ['JPN-XXX'], [undefined]])('refuses %p at the path pair', (value) => {
    expect(pathsOf(parsePairParam(value))).toEqual(['pair']);
  });
});
