/**
 * The benchmark's client for requests timed one at a time (snapshots against one state, and their
 * floor). Forked as a process of its own that does nothing else: timed from the benchmark's own
 * process, which also runs the load generator, the same 17 MB answers took 3–4× as long to arrive
 * as in a fresh process at the same moment (the client, not the server, was the bound). Given a
 * list of URLs over IPC, it fetches them one after another (after a few untimed ones that warm it
 * up) and sends back each one's status, length and time to its last byte.
 */
import { request } from 'node:http';

export interface TimedGet {
  status: number;
  bytes: number;
  ms: number;
}

/**
 * One GET timed to its last byte. The body is counted, not kept or decoded: turning 17 MB into a
 * string is the client's work, and it would be timed as the server's.
 */
function timedGet(url: string, acceptEncoding: string | undefined): Promise<TimedGet> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
    const req = request(url, { method: 'GET', headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * What the benchmark sends: URLs fetched first and not timed, then those timed, all with the
 * same `Accept-Encoding` (none unless given: the bodies as they are).
 */
export interface ProbeRequest {
  warmup: readonly string[];
  urls: readonly string[];
  acceptEncoding?: string;
}

if (process.send !== undefined) {
  process.once('message', ({ warmup, urls, acceptEncoding }: ProbeRequest) => {
    void (async () => {
      for (const url of warmup) {
        const run = await timedGet(url, acceptEncoding);
        if (run.status !== 200) throw new Error(`warming up, ${url} answered ${run.status}`);
      }
      const runs: TimedGet[] = [];
      for (const url of urls) runs.push(await timedGet(url, acceptEncoding));
      process.send!(runs);
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
}
