import { growth, judge, percentile, type SoakSample } from './soak';

function sample(atSeconds: number, rssKiB: number | undefined, p99Ms: number): SoakSample {
  return { atSeconds, rssKiB, requests: 100, p50Ms: p99Ms / 4, p99Ms, kinds: {} };
}

describe('soak statistics', () => {
  it('takes the nearest-rank percentile, so p99 of 1..100 is 99 and of one value is that value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.99)).toBe(0);
  });

  it('measures growth relative to the start and cannot measure it from nothing', () => {
    expect(growth(100, 120)).toBeCloseTo(0.2);
    expect(growth(100, 80)).toBeCloseTo(-0.2);
    expect(growth(undefined, 10)).toBeUndefined();
    expect(growth(0, 10)).toBeUndefined();
  });

  it('passes a soak whose RSS and p99 grew by at most the limit from the first sample to the last', () => {
    const verdict = judge(
      [sample(60, 100_000, 10), sample(120, 150_000, 30), sample(180, 119_000, 11.9)],
      0.2,
    );
    expect(verdict.failures).toEqual([]);
  });

  it('fails a soak whose RSS grew beyond the limit, naming the growth', () => {
    const verdict = judge([sample(60, 100_000, 10), sample(120, 121_000, 10)], 0.2);
    expect(verdict.failures).toEqual(['RSS grew 21.0 % (limit 20.0 %)']);
  });

  it('fails a soak whose p99 grew beyond the limit', () => {
    const verdict = judge([sample(60, 100_000, 10), sample(120, 100_000, 12.5)], 0.2);
    expect(verdict.failures).toEqual(['p99 grew 25.0 % (limit 20.0 %)']);
  });

  it('refuses to judge a soak with fewer than two samples', () => {
    expect(judge([sample(60, 100_000, 10)], 0.2).failures).toEqual([
      'fewer than two samples: nothing to compare',
    ]);
  });
});
