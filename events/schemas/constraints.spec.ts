import fc from 'fast-check';
import { codePointLength, isHttpUrl, isPlainObject, mergePatchProblem } from './constraints';

/** The definitive answer: what the WHATWG URL parser makes of it. */
function parsesAsHttp(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

describe('isHttpUrl', () => {
  it.each([
    ['https://www.meti.go.jp/english/press/2019/0701_001.html'],
    ['HTTP://EXAMPLE.ORG'],
    ['http://example.org:8080/a?b=c#d'],
    ['http://[::1]/'],
    ['http://192.168.0.1/'],
    ['https://例え.jp/記事'],
  ])('accepts %s', (url) => {
    expect(isHttpUrl(url)).toBe(true);
  });

  it.each([
    ['javascript:alert(1)'],
    ['ftp://example.org/'],
    ['file:///etc/passwd'],
    ['//example.org/'],
    ['http://1.2.3.999/'],
    ['https://example.org:99999/'],
    ['http://exa mple.org/'],
    ['http:example.org'],
    [' https://example.org/'],
  ])('refuses %s', (url) => {
    expect(isHttpUrl(url)).toBe(false);
  });

  it('agrees with the WHATWG URL parser on generated web URLs', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        return isHttpUrl(url) === parsesAsHttp(url);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the WHATWG URL parser on arbitrary text after the scheme', () => {
    const tail = fc.string({ unit: fc.constantFrom(...'ab1.-_:/?#[]@%9 \tZ0x'.split('')), maxLength: 30 });
    fc.assert(
      fc.property(fc.constantFrom('http://', 'https://', 'HTTP://'), tail, (scheme, rest) => {
        return isHttpUrl(scheme + rest) === parsesAsHttp(scheme + rest);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('codePointLength', () => {
  it('counts a surrogate pair once and a lone surrogate once', () => {
    expect(codePointLength('🇯🇵')).toBe(2);
    expect(codePointLength('日本')).toBe(2);
    expect(codePointLength('\ud800x')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });

  it('agrees with the string iterator', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => codePointLength(text) === [...text].length),
    );
  });
});

describe('mergePatchProblem', () => {
  it('accepts a JSON object of JSON values', () => {
    expect(
      mergePatchProblem({ items: ['photoresist'], instrument: null, count: 3, nested: { ok: true } }),
    ).toBeUndefined();
  });

  it.each([
    ['an array', [], 'must be a JSON object (an RFC 7396 merge patch of the data)'],
    ['a non-finite number', { rate: Infinity }, 'must hold only JSON values (finite numbers)'],
    ['a function', { f: () => 1 }, 'must hold only JSON values'],
    ['a Date', { when: new Date(0) }, 'must hold only JSON values'],
    ['a key of 101 characters', { ['k'.repeat(101)]: 1 }, 'must use keys of at most 100 characters'],
  ])('refuses %s', (_what, patch, problem) => {
    expect(mergePatchProblem(patch)).toBe(problem);
  });
});

describe('isPlainObject', () => {
  it('accepts literals and null-prototype objects, refuses arrays, class instances and Maps', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
    expect(isPlainObject(new (class Point {})())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
  });
});
