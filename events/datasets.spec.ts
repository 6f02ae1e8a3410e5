/**
 * The bundled datasets (`events/datasets/*.ndjson`) are loaded into every empty store and can be
 * re-imported at any time, so each line must pass the same validation as an import, keep the id it
 * had (a re-import stores nothing twice) and sit in valid-time order.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { v5 as uuidv5, validate as isUuid } from 'uuid';
import { parsePair } from './countries';
import { intervalOf } from './dates';
import { parseImportLine } from './parse-event';

/**
 * The namespace of the bundled events' ids: each id is the UUID v5 of the research key that opens
 * the event's note (`Fact key <key>.`). Changing it would change every id, and a re-import of the
 * dataset would then store every event twice.
 */
const DATASET_NAMESPACE = '6e33e6ef-1090-4371-902b-9aacae4220cb';
const FACT_KEY = /^Fact key ([a-z0-9][a-z0-9-]*[a-z0-9])\. /;

const DIR = join(__dirname, 'datasets');
const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.ndjson'))
  .sort();

interface Line {
  file: string;
  number: number;
  text: string;
  raw: Record<string, unknown>;
}

function linesOf(file: string): Line[] {
  const content = readFileSync(join(DIR, file), 'utf8');
  return content
    .split('\n')
    .slice(0, content.endsWith('\n') ? -1 : undefined)
    .map((text, i) => ({ file, number: i + 1, text, raw: JSON.parse(text) as Record<string, unknown> }));
}

describe('bundled datasets', () => {
  it('include the Japan–Korea record', () => {
    expect(files).toContain('jpn-kor.ndjson');
  });

  describe.each(files)('%s', (file) => {
    const lines = linesOf(file);

    it('is one JSON object a line, ending with a newline, with no blank line', () => {
      const content = readFileSync(join(DIR, file), 'utf8');
      expect(content.endsWith('\n')).toBe(true);
      expect(lines.filter((line) => line.text.trim() === '').map((line) => line.number)).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
    });

    it('has every line accepted by the import validation, unchanged by it', () => {
      const problems = lines.flatMap((line) => {
        const parsed = parseImportLine(line.raw);
        if (!parsed.ok) return parsed.errors.map((e) => `line ${line.number}: ${e.path} ${e.message}`);
        // The clean value keeps known fields only: anything the validator dropped or rewrote
        // (a null field, an upper-case id) would make the file differ from what gets stored.
        const { pair: _pair, ...envelope } = line.raw;
        const stored = JSON.parse(JSON.stringify(parsed.value.event)) as unknown;
        return isDeepStrictEqual(stored, envelope) && parsed.value.pair === line.raw.pair
          ? []
          : [`line ${line.number}: changed by validation`];
      });
      expect(problems).toEqual([]);
    });

    it('writes every pair in canonical form', () => {
      const misspelt = lines.filter((line) => {
        const parsed = parsePair(line.raw.pair);
        return !parsed.ok || parsed.pair !== line.raw.pair;
      });
      expect(misspelt.map((line) => `line ${line.number}: ${String(line.raw.pair)}`)).toEqual([]);
    });

    it('lists events in valid-time order: by interval start, then interval end', () => {
      const intervals = lines.map((line) => ({
        number: line.number,
        ...intervalOf(line.raw.date as string, line.raw.dateEnd as string | undefined),
      }));
      const outOfOrder = intervals.slice(1).filter((current, i) => {
        const previous = intervals[i]!;
        return (
          current.start < previous.start || (current.start === previous.start && current.end < previous.end)
        );
      });
      expect(outOfOrder.map((interval) => interval.number)).toEqual([]);
    });

    it('gives every event the UUID v5 of its research key, so ids survive a rebuild of the file', () => {
      const unstable = lines.flatMap((line) => {
        const key = FACT_KEY.exec(String(line.raw.note ?? ''))?.[1];
        if (key === undefined) return [`line ${line.number}: note does not open with its fact key`];
        if (typeof line.raw.id !== 'string' || !isUuid(line.raw.id))
          return [`line ${line.number}: id is not a UUID`];
        return line.raw.id === uuidv5(key, DATASET_NAMESPACE)
          ? []
          : [`line ${line.number}: id is not v5(${key})`];
      });
      expect(unstable).toEqual([]);
    });
  });

  it('never uses an id or a research key twice across all datasets', () => {
    const all = files.flatMap(linesOf);
    const ids = all.map((line) => line.raw.id);
    const keys = all.map((line) => FACT_KEY.exec(String(line.raw.note ?? ''))?.[1]);
    expect(new Set(ids).size).toBe(all.length);
    expect(new Set(keys).size).toBe(all.length);
  });
});
