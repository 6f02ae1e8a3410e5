/**
 * The benchmark's probe frames responses itself (Node's client cost more than the server on large
 * bodies). Its count of a body's bytes must be what the server sent, however the bytes arrive.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fc from 'fast-check';
import { ResponseReader, TimedClient } from '../../bench/timed-client';

/** A response as a server would write it: a body of `Content-Length`, or chunked in `pieces`. */
function serialise(status: number, pieces: readonly string[], chunked: boolean, trailer: boolean): Buffer {
  const body = pieces.join('');
  if (!chunked) {
    return Buffer.from(`HTTP/1.1 ${status} OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  const chunks = pieces
    .filter((piece) => piece.length > 0)
    .map(
      (piece, i) => `${Buffer.byteLength(piece).toString(16)}${i % 2 === 1 ? ';note=x' : ''}\r\n${piece}\r\n`,
    );
  return Buffer.from(
    `HTTP/1.1 ${status} OK\r\nTransfer-Encoding: chunked\r\nX-Other: a:b\r\n\r\n${chunks.join('')}0\r\n` +
      (trailer ? 'X-Trailer: done\r\n' : '') +
      '\r\n',
  );
}

/** Feeds `bytes` cut at `cuts` (sorted offsets), checking the reader is done only after the last. */
function feedInPieces(bytes: Buffer, cuts: readonly number[]): ResponseReader {
  const reader = new ResponseReader();
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    if (bounds[i] === bounds[i + 1]) continue;
    expect(reader.response).toBeUndefined();
    reader.feed(bytes.subarray(bounds[i], bounds[i + 1]));
  }
  return reader;
}

describe('the probe’s response reader', () => {
  it('counts the body however the response is cut, chunked or with a length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(200, 404, 500),
        fc.array(fc.nat(), { maxLength: 30 }),
        (pieces, chunked, trailer, status, rawCuts) => {
          const bytes = serialise(status, pieces, chunked, trailer);
          const cuts = [...new Set(rawCuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const response = feedInPieces(bytes, cuts).response;
          expect(response).toBeDefined();
          expect(response!.status).toBe(status);
          expect(response!.bytes).toBe(Buffer.byteLength(pieces.join('')));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a response fed one byte at a time', () => {
    const bytes = serialise(200, ['{"a":', '1}', 'x'.repeat(70)], true, true);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const response = feedInPieces(bytes, cuts).response!;
    expect(response.bytes).toBe(77);
    expect(response.headers.get('x-other')).toBe('a:b');
  });

  it('ends at once on a response without a body', () => {
    const reader = new ResponseReader();
    reader.feed(Buffer.from('HTTP/1.1 304 Not Modified\r\nETag: "4"\r\n\r\n'));
    expect(reader.response).toMatchObject({ status: 304, bytes: 0 });
  });

  it.each([
    ['a status line that is not HTTP', 'SMTP 220 ready\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n'],
    ['a chunk size that is not hexadecimal', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk not ended by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX'],
    ['a body delimited by the close', 'HTTP/1.1 200 OK\r\n\r\nbody'],
    ['bytes after the end', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc'],
  ])('refuses %s', (_, text) => {
    expect(() => new ResponseReader().feed(Buffer.from(text))).toThrow();
  });
});

describe('the probe’s client', () => {
  let server: Server;
  let base: string;
  const large = 'y'.repeat(3_000_000);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/chunked') {
        // Written in pieces, as the service writes a long series of snapshots.
        for (let at = 0; at < large.length; at += 100_000) res.write(large.slice(at, at + 100_000));
        res.end();
      } else if (req.url === '/close') {
        res.setHeader('Connection', 'close');
        res.end('bye');
      } else if (req.url === '/gzip') {
        res.setHeader('Content-Encoding', 'gzip');
        res.end(Buffer.from([0x1f, 0x8b, 8, 0]));
      } else {
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end(`{"path":${JSON.stringify(req.url)}}`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What Node's own client counts of the same body. */
  function nodeCount(url: string): Promise<{ status: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      request(url, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode!, bytes }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('counts what Node’s client counts, on one connection and again after the server closes it', async () => {
    const client = new TimedClient();
    try {
      for (const path of ['/chunked', '/small?x=1', '/close', '/missing', '/chunked', '/gzip', '/small']) {
        const run = await client.get(base + path);
        expect({ path, status: run.status, bytes: run.bytes }).toEqual({
          path,
          ...(await nodeCount(base + path)),
        });
        expect(run.ms).toBeGreaterThan(0);
      }
    } finally {
      client.close();
    }
  });

  it('keeps one connection open between requests', async () => {
    const connections: unknown[] = [];
    const listener = (socket: unknown) => connections.push(socket);
    server.on('connection', listener);
    const client = new TimedClient();
    try {
      for (let i = 0; i < 5; i += 1) expect((await client.get(`${base}/small`)).status).toBe(200);
      expect(connections).toHaveLength(1);
    } finally {
      client.close();
      server.off('connection', listener);
    }
  });

  it('sends the Accept-Encoding it was given', async () => {
    const seen: (string | undefined)[] = [];
    const listener = (req: { headers: Record<string, string | undefined> }) =>
      seen.push(req.headers['accept-encoding']);
    server.on('request', listener);
    const [plain, br] = [new TimedClient(), new TimedClient('br')];
    try {
      await plain.get(`${base}/small`);
      await br.get(`${base}/small`);
      expect(seen).toEqual([undefined, 'br']);
    } finally {
      plain.close();
      br.close();
      server.off('request', listener);
    }
  });

  it('rejects when the server goes away mid-answer', async () => {
    const broken = createServer((_, res) => {
      res.writeHead(200, { 'Content-Length': 100 });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const client = new TimedClient();
    try {
      await expect(client.get(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/`)).rejects.toThrow(
        /closed the connection/,
      );
    } finally {
      client.close();
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
