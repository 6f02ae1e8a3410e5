/**
 * The probe's reader of HTTP/1.1 responses: it frames one response (status line, headers, a body
 * of `Content-Length` bytes or chunked) from the bytes as they arrive and counts the body's bytes,
 * without keeping or copying them. Node's own client (`node:http`) costs ~50 µs of its CPU for
 * each 64 KiB the socket delivers: it took ~24 ms to receive 17.4 MB that curl receives in ~8 ms,
 * so the snapshots' timings measured the client more than the server. This reader does no more
 * than the framing needs; it is a pure state machine, fed buffers, so its tests can cut a response
 * anywhere. {@link TimedClient} sends the requests and times them.
 */
import { connect, type Socket } from 'node:net';

/** What a complete response was: its status, the body's length as sent, and its headers. */
export interface ReadResponse {
  status: number;
  /** Bytes of the body as it came (compressed if it was), without the chunks' framing. */
  bytes: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: ReadonlyMap<string, string>;
}

type Phase = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'done';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Longer status lines, headers or chunk-size lines than this are refused, not buffered on. */
const MAX_LINE_BYTES = 64 * 1024;

export class ResponseReader {
  private phase: Phase = 'head';
  /** Bytes of a head, chunk-size line or trailer line that arrived split over several buffers. */
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private status = 0;
  private bytes = 0;
  private headers = new Map<string, string>();

  /** The response, once its last byte has been fed; `undefined` until then. */
  get response(): ReadResponse | undefined {
    return this.phase === 'done'
      ? { status: this.status, bytes: this.bytes, headers: this.headers }
      : undefined;
  }

  /**
   * Takes the next bytes from the connection. Throws on bytes that are not a well-framed
   * response, or that come after its end (the probe asks one thing at a time).
   */
  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      switch (this.phase) {
        case 'head': {
          const end = this.lineEnd(chunk, at, HEAD_END);
          if (end === undefined) return;
          this.readHead(end.text);
          at = end.next;
          break;
        }
        case 'body':
          at = this.count(chunk, at);
          if (this.remaining === 0) this.phase = 'done';
          break;
        case 'chunk-size': {
          const end = this.lineEnd(chunk, at, CRLF);
          if (end === undefined) return;
          // A chunk's size is hexadecimal, optionally followed by `;extension`.
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(end.text.toString('latin1'));
          if (size === null)
            throw new Error(`bad chunk size line ${JSON.stringify(end.text.toString('latin1'))}`);
          this.remaining = parseInt(size[1]!, 16);
          this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
          at = end.next;
          break;
        }
        case 'chunk-data':
          at = this.count(chunk, at);
          if (this.remaining === 0) {
            this.phase = 'chunk-end';
            this.remaining = CRLF.length;
          }
          break;
        case 'chunk-end': {
          // The CRLF after a chunk's data, possibly split between two buffers.
          if (chunk[at] !== CRLF[CRLF.length - this.remaining])
            throw new Error('a chunk does not end in CRLF');
          at += 1;
          this.remaining -= 1;
          if (this.remaining === 0) this.phase = 'chunk-size';
          break;
        }
        case 'trailers': {
          const end = this.lineEnd(chunk, at, CRLF);
          if (end === undefined) return;
          // Trailer fields are skipped; the empty line ends the response.
          if (end.text.length === 0) this.phase = 'done';
          at = end.next;
          break;
        }
        case 'done':
          throw new Error(`${chunk.length - at} bytes after the end of the response`);
      }
    }
  }

  /** Counts the body's bytes in `chunk` from `at`, up to those still to come; returns where they end. */
  private count(chunk: Buffer, at: number): number {
    const take = Math.min(this.remaining, chunk.length - at);
    this.bytes += take;
    this.remaining -= take;
    return at + take;
  }

  /**
   * Where the line (or head) ending in `terminator` ends, with its text, if it has arrived;
   * otherwise keeps what has and answers `undefined`.
   */
  private lineEnd(chunk: Buffer, at: number, terminator: Buffer): { text: Buffer; next: number } | undefined {
    const rest = chunk.subarray(at);
    if (this.pending.length === 0) {
      const found = rest.indexOf(terminator);
      if (found >= 0) return { text: rest.subarray(0, found), next: at + found + terminator.length };
    } else {
      // Search from just before the join, where a terminator split in two would begin.
      const from = Math.max(0, this.pending.length - terminator.length + 1);
      const joined = Buffer.concat([this.pending, rest]);
      const found = joined.indexOf(terminator, from);
      if (found >= 0) {
        this.pending = Buffer.alloc(0);
        return {
          text: joined.subarray(0, found),
          next: at + found + terminator.length - (joined.length - rest.length),
        };
      }
      this.pending = joined;
    }
    if (this.pending.length === 0) this.pending = Buffer.from(rest);
    if (this.pending.length > MAX_LINE_BYTES)
      throw new Error(`a line or head longer than ${MAX_LINE_BYTES} bytes`);
    return undefined;
  }

  private readHead(head: Buffer): void {
    const [statusLine, ...lines] = head.toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine!);
    if (status === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
    this.status = Number(status[1]);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
      this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (this.status < 200) throw new Error(`interim response ${this.status}: the probe sends no Expect`);
    const encoding = this.headers.get('transfer-encoding');
    const length = this.headers.get('content-length');
    if (encoding !== undefined) {
      if (encoding.toLowerCase() !== 'chunked') throw new Error(`transfer-encoding ${encoding}`);
      this.phase = 'chunk-size';
    } else if (this.status === 204 || this.status === 304 || length === '0') {
      this.phase = 'done';
    } else if (length !== undefined && /^\d+$/.test(length)) {
      this.remaining = Number(length);
      this.phase = 'body';
    } else {
      // A body delimited by the connection's close: the service never answers so.
      throw new Error('a response with neither Content-Length nor chunked encoding');
    }
  }
}

export interface TimedGet {
  status: number;
  bytes: number;
  ms: number;
}

/**
 * One kept-alive connection to the server, asking one thing at a time. Responses are framed by
 * {@link ResponseReader}: Node's `http` client spent more of its own CPU on a 17 MB body than the
 * server and the loopback together (~24 ms where curl takes ~8), and the benchmark times the
 * server. A connection the server closes is opened again for the next request.
 */
class Connection {
  private socket: Socket | undefined;
  private reader: ResponseReader | undefined;
  private settle: ((error?: Error) => void) | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => {
        try {
          this.reader?.feed(chunk);
          if (this.reader?.response !== undefined) this.settle?.();
        } catch (error) {
          socket.destroy();
          this.settle?.(error as Error);
        }
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.settle?.(new Error('the server closed the connection before the response ended'));
      });
      socket.on('error', () => undefined);
    });
  }

  /**
   * One GET timed from the moment it is written (on an open connection) to its last byte. The
   * body is counted, not kept or decoded: turning 17 MB into a string is the client's work, and
   * it would be timed as the server's.
   */
  async get(path: string, acceptEncoding?: string): Promise<TimedGet> {
    this.socket ??= await this.open();
    const socket = this.socket;
    const reader = new ResponseReader();
    this.reader = reader;
    const done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => {
        this.settle = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    const started = performance.now();
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
        (acceptEncoding === undefined ? '' : `Accept-Encoding: ${acceptEncoding}\r\n`) +
        '\r\n',
    );
    await done;
    const ms = performance.now() - started;
    const response = reader.response!;
    if (response.headers.get('connection')?.toLowerCase() === 'close') {
      this.socket = undefined;
      socket.destroy();
    }
    return { status: response.status, bytes: response.bytes, ms };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/** The probe's client: one connection per server, each request timed. */
export class TimedClient {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly acceptEncoding?: string) {}

  get(url: string): Promise<TimedGet> {
    const { hostname, port, pathname, search } = new URL(url);
    const key = `${hostname}:${port}`;
    let connection = this.connections.get(key);
    if (connection === undefined) {
      connection = new Connection(hostname, Number(port || 80));
      this.connections.set(key, connection);
    }
    return connection.get(pathname + search, this.acceptEncoding);
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }
}
