/**
 * The result shapes of every parser in the vocabulary: a value, or every problem found, each
 * with the path of the offending field (`data.items[0]`, `sources[1].url`, `dateEnd`).
 */

/** One thing wrong with an input, where it is and what is expected instead. */
export interface ValidationProblem {
  /** Dotted path with array indexes, `''` for the input itself. */
  path: string;
  message: string;
}

/** A parsed value, or the complete list of problems (never empty when `ok` is false). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationProblem[] };

/** At most this many problems are listed; the rest are counted in one last entry. */
export const MAX_PROBLEMS = 100;

/** Collects problems up to {@link MAX_PROBLEMS}, so a hostile input cannot make a huge answer. */
export class ProblemSink {
  readonly problems: ValidationProblem[] = [];
  private dropped = 0;

  add(path: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path, message });
    else this.dropped++;
  }

  get count(): number {
    return this.problems.length + this.dropped;
  }

  /** The problems, with a last entry counting those left out. */
  list(): ValidationProblem[] {
    if (this.dropped === 0) return this.problems;
    return [...this.problems, { path: '', message: `and ${this.dropped} more problems` }];
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_IN_PATH = 60;

/** `parent.key`, or `parent["odd key"]` when the key is not an identifier (truncated if long). */
export function pathOf(parent: string, key: string): string {
  if (IDENTIFIER.test(key) && key.length <= MAX_KEY_IN_PATH) return parent === '' ? key : `${parent}.${key}`;
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

/** `parent[index]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
