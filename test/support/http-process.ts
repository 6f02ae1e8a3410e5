/**
 * Runs the real entry points (`src/main.ts`, `src/cli/main.ts`) as child processes from the
 * TypeScript sources through an in-memory SWC hook, so these tests need no build.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The repository root (this file is test/support/http-process.ts). */
export const ROOT = resolve(__dirname, '..', '..');
const HOOK = join(ROOT, 'test', 'cli', 'swc-register.cjs');
export const SERVER_SOURCE = join(ROOT, 'src', 'main.ts');
export const CLI_SOURCE = join(ROOT, 'src', 'cli', 'main.ts');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): RunResult {
  const result = spawnSync(process.execPath, ['-r', HOOK, CLI_SOURCE, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the server until it exits (for start-up failures). */
export function runServerToExit(env: NodeJS.ProcessEnv, cwd = ROOT): RunResult {
  const result = spawnSync(process.execPath, ['-r', HOOK, SERVER_SOURCE], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServerChild {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Sends SIGTERM and resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the server on `port` and waits until `/health` answers. */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  port: number,
  cwd = ROOT,
): Promise<ServerChild> {
  const child = spawn(process.execPath, ['-r', HOOK, SERVER_SOURCE], {
    cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /health in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A TCP port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolvePort(address.port)
          : reject(new Error('the probe server has no port')),
      );
    });
  });
}
