/**
 * Country codes (ISO 3166-1 alpha-3, from the maintained `i18n-iso-countries` data) and pairs.
 * A pair is unordered; its canonical form is the two codes in alphabetical order joined by `-`.
 */
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import type { CountryCode, PairId } from './catalogue';

countries.registerLocale(en);

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value) && countries.isValid(value);
}

/** English short name of a country (`KOR` → `South Korea`), or the code when unknown. */
export function countryName(code: CountryCode): string {
  return countries.getName(code, 'en') ?? code;
}

export type PairParse =
  { ok: true; pair: PairId; countries: [CountryCode, CountryCode] } | { ok: false; problem: string };

/** Parses `AAA-BBB` in any case and either order into the canonical pair. */
export function parsePair(value: unknown): PairParse {
  if (typeof value !== 'string') return { ok: false, problem: 'a pair is two country codes joined by "-"' };
  const match = /^([A-Za-z]{3})-([A-Za-z]{3})$/.exec(value);
  if (!match)
    return { ok: false, problem: 'a pair is two ISO 3166-1 alpha-3 codes joined by "-", e.g. JPN-KOR' };
  const a = match[1]!.toUpperCase();
  const b = match[2]!.toUpperCase();
  const unknown = [a, b].filter((code) => !isCountryCode(code));
  if (unknown.length > 0) return { ok: false, problem: `unknown country code ${unknown.join(', ')}` };
  if (a === b) return { ok: false, problem: 'a pair needs two different countries' };
  const ordered: [CountryCode, CountryCode] = a < b ? [a, b] : [b, a];
  return { ok: true, pair: `${ordered[0]}-${ordered[1]}`, countries: ordered };
}

/** The two countries of a canonical pair. */
export function countriesOf(pair: PairId): [CountryCode, CountryCode] {
  return pair.split('-') as [CountryCode, CountryCode];
}

export function streamNameOf(pair: PairId): string {
  return `relation-${pair}`;
}

export function pairOfStream(streamName: string): PairId | undefined {
  return streamName.startsWith('relation-') ? streamName.slice('relation-'.length) : undefined;
}
