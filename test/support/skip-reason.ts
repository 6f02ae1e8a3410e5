/**
 * Says why a whole test file is skipped. Jest keeps the console output of a file whose tests are
 * all skipped to itself when it runs more than one file (its reporter prints a file's console
 * only with its results, and prints no results for a skipped file), so a `console.warn` there is
 * lost in `npm test`. The worker's stderr reaches the terminal whatever the reporter does.
 */
export function reportSkip(reason: string): void {
  process.stderr.write(`${reason}\n`);
}
