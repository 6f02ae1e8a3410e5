/**
 * The benchmark's client for requests timed one at a time (snapshots against one state, and their
 * floor). Forked as a process of its own that does nothing else: timed from the benchmark's own
 * process, which also runs the load generator, the same 17 MB answers took 3–4× as long to arrive
 * as in a fresh process at the same moment (the client, not the server, was the bound). Given a
 * list of URLs over IPC, it fetches them one after another (after a few untimed ones that warm it
 * up) and sends back each one's status, length and time to its last byte.
 */
import { TimedClient, type TimedGet } from './timed-client';

export type { TimedGet };

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
      const client = new TimedClient(acceptEncoding);
      for (const url of warmup) {
        const run = await client.get(url);
        if (run.status !== 200) throw new Error(`warming up, ${url} answered ${run.status}`);
      }
      const runs: TimedGet[] = [];
      for (const url of urls) runs.push(await client.get(url));
      client.close();
      process.send!(runs);
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
}
