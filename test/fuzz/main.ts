/**
 * `npm run fuzz [-- --cases N --seed S --max-rss-mib M]`: the long fuzz campaign (default 20,000
 * cases) against a real server child process. Prints progress, then the summary; exits 1 when a
 * case broke a promise (the shrunk case and the seed to replay it are printed).
 */
import { Command, InvalidArgumentError } from 'commander';
import { formatReport, runCampaign } from './campaign';
import { startFuzzTarget } from './target';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected an integer');
  return Number(value);
}

async function main(): Promise<number> {
  const program = new Command('fuzz')
    .description('Hostile HTTP requests against a real server: never a 5xx, always a problem document')
    .option('--cases <n>', 'number of cases', positiveInteger, 20_000)
    .option('--seed <s>', 'fast-check seed (default: random, printed)', integer)
    .option('--max-rss-mib <m>', 'fail when the server RSS exceeds this', positiveInteger, 512)
    .parse(process.argv);
  const options = program.opts<{ cases: number; seed?: number; maxRssMib: number }>();
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  console.log(`fuzz: ${options.cases} cases, seed ${seed} (replay with --seed ${seed})`);
  const target = await startFuzzTarget();
  console.log(`fuzz: server pid ${target.server.pid} on ${target.server.url}, store ${target.dir}`);
  try {
    const report = await runCampaign({
      server: target.server,
      context: target.context,
      cases: options.cases,
      seed,
      maxRssMiB: options.maxRssMib,
      progressEvery: 1000,
      onProgress: (done, r) => {
        const rss = target.server.rssKiB();
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.log(
          `fuzz: ${done}/${options.cases} cases, ${seconds} s, RSS ${rss === undefined ? 'n/a' : (rss / 1024).toFixed(1)} MiB, ` +
            `statuses ${JSON.stringify(r.statuses)}`,
        );
      },
    });
    console.log(formatReport(report));
    return report.failure === undefined ? 0 : 1;
  } finally {
    await target.close();
  }
}

const started = performance.now();
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
