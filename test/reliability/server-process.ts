/**
 * The real server as a child process (`node dist/src/main.js`, what `npm start` runs), for the
 * tests and programs that must kill, stop, restart or measure it: the kill/restart and shutdown
 * tests, the fuzz campaign and the soak. Node is spawned directly, never through npm, so signals
 * reach the server itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI_ENTRY, SERVER_ENTRY } from '../support/build';
import { freePort, ROOT } from '../support/http-process';
import { httpRequest } from './http-client';

/** Tokens every test server is started with (`API_TOKENS`). */
export const TOKENS = {
  recorder: 'rel-recorder-token-0123456789',
  recorder2: 'rel-recorder2-token-0123456789',
  reader: 'rel-reader-token-0123456789',
  admin: 'rel-admin-token-0123456789',
} as const;

export const API_TOKENS = [
  `alice:recorder:${TOKENS.recorder}`,
  `bob:recorder:${TOKENS.recorder2}`,
  `rita:reader:${TOKENS.reader}`,
  `ada:admin:${TOKENS.admin}`,
].join(',');

export interface StartOptions {
  /** The SQLite file (`EVENT_STORE=sqlite:<file>`). */
  dbFile: string;
  /** Extra or overriding environment (e.g. `WRITE_RATE_LIMIT`, or `API_TOKENS: ''` to unset it). */
  env?: Record<string, string | undefined>;
  port?: number;
  /** How long to wait for `GET /health` to answer 200 (default 60 s: the machine is shared). */
  readyTimeoutMs?: number;
}

/** How a child process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running server child process. */
export class ServerProcess {
  private output = '';
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.capture(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.capture(chunk));
    this.exited = new Promise((resolveExit) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
  }

  /** Starts `node dist/src/main.js` and waits until `/health` answers 200. */
  static async start(options: StartOptions): Promise<ServerProcess> {
    const port = options.port ?? (await freePort());
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      EVENT_STORE: `sqlite:${options.dbFile}`,
      SEED: 'none',
      API_TOKENS,
      READ_ACCESS: 'public',
      LOG_LEVEL: 'warn',
      WRITE_RATE_LIMIT: '1000000',
    };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, port);
    await server.waitReady(options.readyTimeoutMs ?? 60_000);
    return server;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The server process has no pid');
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the server printed (stdout and stderr, interleaved), for failure messages. */
  get log(): string {
    return this.output;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  private capture(chunk: Buffer): void {
    // Keep the tail only: a long fuzz campaign must not grow the test runner's memory.
    this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) {
        throw new Error(
          `The server exited before it was ready (${JSON.stringify(this.exitInfo)}):\n${this.output}`,
        );
      }
      try {
        const response = await httpRequest(this.url, { method: 'GET', path: '/health', timeoutMs: 2000 });
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.child.kill('SIGKILL');
    throw new Error(`The server did not answer /health within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Resident set size of the server process in KiB, read from /proc (Linux). */
  rssKiB(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match?.[1] === undefined ? undefined : Number(match[1]);
    } catch {
      return undefined;
    }
  }

  /**
   * CPU time (user + system) the server process has used so far, in milliseconds, from
   * /proc/<pid>/stat (Linux, 100 clock ticks per second).
   */
  cpuMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return Number.isFinite(ticks) ? ticks * 10 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL: no chance to flush or close anything. */
  async kill(): Promise<ExitInfo> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Sends `signal` and waits for the exit, SIGKILLing after `timeoutMs` so no test leaves a server behind. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ExitInfo> {
    if (!this.alive) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs the built CLI (`node dist/src/cli/main.js …`) and returns its exit code and output. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
): { status: number | null; stdout: string; stderr: string } {
  const fullEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) fullEnv[name] = value;
  const result = spawnSync(process.execPath, [CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: fullEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
