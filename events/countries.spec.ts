import { countriesOf, countryName, isCountryCode, pairOfStream, parsePair, streamNameOf } from './countries';

describe('country codes', () => {
  it.each([['JPN'], ['KOR'], ['PRK'], ['USA']])('accepts %s', (code) => {
    expect(isCountryCode(code)).toBe(true);
  });

  it.each([['kor'], ['Kor'], ['XXX'], ['KR'], ['KORE'], [''], [410], [null]])('refuses %p', (code) => {
    expect(isCountryCode(code)).toBe(false);
  });

  it('names a country in English, and falls back to the code', () => {
    expect(countryName('JPN')).toBe('Japan');
    expect(countryName('KOR')).toBe('South Korea');
    expect(countryName('XXX')).toBe('XXX');
  });
});

describe('pairs', () => {
  it('reads kor-jpn as JPN-KOR, the codes in alphabetical order', () => {
    expect(parsePair('kor-jpn')).toEqual({ ok: true, pair: 'JPN-KOR', countries: ['JPN', 'KOR'] });
    expect(parsePair('JPN-KOR')).toEqual(parsePair('Kor-Jpn'));
  });

  it('refuses a pair of a country with itself', () => {
    expect(parsePair('KOR-kor')).toEqual({ ok: false, problem: 'a pair needs two different countries' });
  });

  it('refuses unknown codes, naming them', () => {
    expect(parsePair('JPN-XXX')).toEqual({ ok: false, problem: 'unknown country code XXX' });
  });

  it.each([['JPN'], ['JPN-KOR-CHN'], ['JPN_KOR'], ['JP-KR'], [''], [42], [undefined]])(
    'refuses %p',
    (value) => {
      expect(parsePair(value).ok).toBe(false);
    },
  );

  it('names the stream of a pair and reads the pair back', () => {
    expect(streamNameOf('JPN-KOR')).toBe('relation-JPN-KOR');
    expect(pairOfStream('relation-JPN-KOR')).toBe('JPN-KOR');
    expect(pairOfStream('$et-relation')).toBeUndefined();
    expect(countriesOf('JPN-KOR')).toEqual(['JPN', 'KOR']);
  });
});
