/**
 * A long series of snapshots is written piece by piece, letting other requests in between and
 * waiting for a client that reads slowly: one that stops reading holds a few MiB of its answer,
 * not tens, and one that goes away stops the writing.
 */
import { connect, type Socket } from 'node:net';
import { ServerResponse } from 'node:http';
import { bearer, startServer, TOKENS, type TestServer } from '../support/http';

const PAIR = '/api/relations/JPN-KOR';
const SERIES = `${PAIR}/snapshots?from=2020-01-01&to=2022-09-26&every=day`;
const RULINGS = 400;

/** Bytes handed to each response's `write`/`end`, and whether it ended, while `watch` runs. */
function watchResponses() {
  const written = new Map<ServerResponse, { bytes: number; ended: boolean }>();
  const { write, end } = ServerResponse.prototype;
  const count = (response: ServerResponse, chunk: unknown, ended: boolean) => {
    const entry = written.get(response) ?? { bytes: 0, ended: false };
    if (Buffer.isBuffer(chunk) || typeof chunk === 'string') entry.bytes += Buffer.byteLength(chunk);
    entry.ended ||= ended;
    written.set(response, entry);
  };
  ServerResponse.prototype.write = function (this: ServerResponse, ...args: unknown[]) {
    count(this, args[0], false);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    count(this, typeof args[0] === 'function' ? undefined : args[0], true);
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof end;
  return {
    /** The one response of more than `min` bytes written so far. */
    large(min: number) {
      const found = [...written.values()].filter((entry) => entry.bytes > min);
      expect(found.length).toBeLessThanOrEqual(1);
      return found[0];
    },
    restore() {
      ServerResponse.prototype.write = write;
      ServerResponse.prototype.end = end;
    },
  };
}

/** Sends a GET on a raw socket that reads nothing until told to. */
function unreadGet(url: string, path: string): Socket {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  return socket;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a long series of snapshots, streamed', () => {
  let server: TestServer;
  let wholeBytes: number;

  beforeAll(async () => {
    server = await startServer();
    // Rulings stay in every later state: 400 of them make each point ~100 kB.
    const rulings = Array.from({ length: RULINGS }, (_, i) => ({
      type: 'court-ruling',
      date: '2019-01-01',
      actor: 'KOR',
      summary: `Ruling ${i} of the benchmark of streamed answers, with a holding long enough to weigh`,
      data: { court: 'Supreme Court of Korea', holding: `Holding ${i}: ${'damages awarded; '.repeat(8)}` },
      sources: [{ publisher: 'Court', url: `https://example.org/rulings/${i}` }],
    }));
    await server.http().post(`${PAIR}/events`).set(bearer(TOKENS.recorder)).send(rulings).expect(201);
    const whole = await server.http().get(SERIES).expect(200);
    expect(whole.body.snapshots).toHaveLength(1000);
    expect(whole.body.snapshots[999].state.rulings).toHaveLength(RULINGS);
    wholeBytes = Buffer.byteLength(JSON.stringify(whole.body));
    expect(wholeBytes).toBeGreaterThan(60e6);
  }, 60_000);
  afterAll(() => server.close());

  it('holds a few MiB for a client that stops reading, answers others meanwhile, and stops when it leaves', async () => {
    const watch = watchResponses();
    const socket = unreadGet(server.url, SERIES);
    try {
      await sleep(500);
      // The series waits: far from all of it was written, and it has not ended.
      const waiting = watch.large(1e6);
      expect(waiting).toBeDefined();
      expect(waiting!.ended).toBe(false);
      expect(waiting!.bytes).toBeLessThan(wholeBytes / 2);
      // Other requests are answered while it waits.
      const started = performance.now();
      await server.http().get(`${PAIR}/state?asOf=2021-01-01&fields=index`).expect(200);
      expect(performance.now() - started).toBeLessThan(5_000);
      // The client leaves: nothing more is written for it.
      socket.destroy();
      await sleep(200);
      const stopped = waiting!.bytes;
      await sleep(300);
      expect(waiting!.bytes).toBe(stopped);
      expect(waiting!.ended).toBe(false);
    } finally {
      socket.destroy();
      watch.restore();
    }
    // And the next series is whole.
    const again = await server.http().get(SERIES).expect(200);
    expect(Buffer.byteLength(JSON.stringify(again.body))).toBe(wholeBytes);
  }, 60_000);

  it('writes the whole series to a client that reads slowly', async () => {
    const socket = unreadGet(server.url, SERIES);
    let received = 0;
    const text: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      text.push(chunk);
    });
    // Reads in short bursts with pauses between them, until the last chunk's terminator.
    try {
      for (let round = 0; round < 2000; round += 1) {
        socket.resume();
        await sleep(5);
        socket.pause();
        await sleep(5);
        const tail = text.at(-1)?.subarray(-5).toString('latin1');
        if (tail === '0\r\n\r\n') break;
      }
    } finally {
      socket.destroy();
    }
    const raw = Buffer.concat(text).toString('latin1');
    expect(raw.startsWith('HTTP/1.1 200')).toBe(true);
    expect(raw.endsWith('0\r\n\r\n')).toBe(true);
    expect(received).toBeGreaterThan(wholeBytes);
  }, 60_000);
});
