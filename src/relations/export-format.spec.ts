import { csvField } from './export-format';

describe('csvField', () => {
  it('leaves plain text as it is', () => {
    expect(csvField('photoresist')).toBe('photoresist');
    expect(csvField(3)).toBe('3');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes a field with a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvField('Seoul, Tokyo')).toBe('"Seoul, Tokyo"');
    expect(csvField('the "white list"')).toBe('"the ""white list"""');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
  });

  it('writes objects as JSON, quoted', () => {
    expect(csvField({ measureId: 'm', items: ['a', 'b'] })).toBe(
      '"{""measureId"":""m"",""items"":[""a"",""b""]}"',
    );
  });
});
