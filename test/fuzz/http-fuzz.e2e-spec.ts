/**
 * The short fuzz run of `npm test`: a few hundred hostile requests (the same generator as
 * `npm run fuzz`) against a real server child process. The seed is printed so a failure replays
 * with `npm run fuzz -- --cases N --seed S`; FUZZ_SEED and FUZZ_CASES override it.
 */
import { formatReport, runCampaign } from './campaign';
import { startFuzzTarget, type FuzzTarget } from './target';

const CASES = Number(process.env.FUZZ_CASES ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.FUZZ_SEED);

describe('hostile HTTP input (fast-check, real server)', () => {
  let target: FuzzTarget;

  beforeAll(async () => {
    target = await startFuzzTarget();
  }, 240_000);

  afterAll(async () => {
    await target?.close();
  });

  it(`answers ${CASES} hostile requests with 4xx problem documents only, never a 5xx, and stays up with bounded memory`, async () => {
    // Given a server holding a few events, when hostile requests arrive
    const report = await runCampaign({
      server: target.server,
      context: target.context,
      cases: CASES,
      seed: SEED,
      maxRssMiB: 512,
    });
    console.log(`${formatReport(report)}\n  replay: npm run fuzz -- --cases ${CASES} --seed ${SEED}`);

    // Then every answer kept the promises and the server still serves
    expect(report.failure).toBeUndefined();
    expect(report.cases).toBe(CASES);
    expect(target.server.alive).toBe(true);
    expect(Object.keys(report.statuses).some((status) => Number(status) >= 500)).toBe(false);
  }, 600_000);
});
