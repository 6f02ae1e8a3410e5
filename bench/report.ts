/**
 * The benchmark's table: each row a measurement beside its baseline from the same run, the ratio
 * and the bar it must meet. Printed for people and written to `bench/results.json` for tools.
 */

/** One side of a row: a figure and its unit. */
export interface Figure {
  value: number;
  unit: string;
}

/** A bar: the ratio (or, for rows without a baseline, the figure) must be at least or at most `limit`. */
export interface Bar {
  kind: 'min' | 'max';
  limit: number;
  /** What the bar compares, as printed. */
  label: string;
}

/** One measured row of the table. */
export interface ResultRow {
  id: string;
  what: string;
  ours: Figure;
  baseline?: Figure & { what: string };
  /** `ours / baseline`, or for time-like rows whose bar is a multiple, as the row defines. */
  ratio?: number;
  bar?: Bar;
  /** `undefined` when the row only reports a figure. */
  pass?: boolean;
  note?: string;
}

/** Whether `value` meets `bar`. */
export function meets(value: number, bar: Bar): boolean {
  return bar.kind === 'min' ? value >= bar.limit : value <= bar.limit;
}

/** A row whose bar is a ratio of ours to the baseline. */
export function ratioRow(
  row: Omit<ResultRow, 'ratio' | 'pass'> & { baseline: Figure & { what: string } },
): ResultRow {
  const ratio = row.ours.value / row.baseline.value;
  return { ...row, ratio, pass: row.bar ? meets(ratio, row.bar) : undefined };
}

/** A row whose bar is an absolute figure (a time, a size). */
export function absoluteRow(row: Omit<ResultRow, 'pass'>): ResultRow {
  return { ...row, pass: row.bar ? meets(row.ours.value, row.bar) : undefined };
}

function figure(f: Figure | undefined): string {
  if (!f) return '—';
  const digits = f.value >= 100 ? 0 : f.value >= 10 ? 1 : 2;
  return `${f.value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${f.unit}`;
}

/** The table as Markdown, so the same text reads on a terminal and in the README. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['what', 'ours', 'baseline', 'ratio', 'bar', 'pass'];
  const lines = rows.map((row) => [
    row.what,
    figure(row.ours),
    row.baseline ? `${figure(row.baseline)} (${row.baseline.what})` : '—',
    row.ratio === undefined ? '—' : row.ratio.toFixed(2),
    row.bar?.label ?? 'report only',
    row.pass === undefined ? '—' : row.pass ? 'yes' : '**no**',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join(
    '\n',
  );
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The `p`-th percentile (0..100) of a non-empty list, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
