/**
 * The e2e harness: the real Nest application (same middleware, guards, filter as `main`) on a
 * temporary SQLite file, with a steppable clock, listening on a free port so tests send real
 * concurrent HTTP requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { FixedClock } from '../../src/clock/clock';
import { parseConfig, type AppConfig } from '../../src/config/app-config';
import { createApp } from '../../src/create-app';

export const TOKENS = {
  admin: 'admin-token-0123456789',
  recorder: 'recorder-token-0123456789',
  reader: 'reader-token-0123456789',
  other: 'other-recorder-token-0123456789',
} as const;

export const API_TOKENS = [
  `alice:admin:${TOKENS.admin}`,
  `rita:recorder:${TOKENS.recorder}`,
  `rob:reader:${TOKENS.reader}`,
  `otto:recorder:${TOKENS.other}`,
].join(',');

/** The instant the fixed clock starts at (each `now()` then steps one millisecond). */
export const CLOCK_START = '2026-11-28T10:00:00.000Z';

export interface TestServer {
  app: NestFastifyApplication;
  url: string;
  clock: FixedClock;
  config: AppConfig;
  dir: string;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Starts the app on a fresh SQLite file in a temporary folder; `env` overrides the defaults. */
export async function startServer(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'relations-e2e-'));
  const parsed = parseConfig(
    {
      EVENT_STORE: `sqlite:${join(dir, 'relations.db')}`,
      SEED: 'none',
      API_TOKENS,
      LOG_LEVEL: 'silent',
      ...env,
    },
    dir,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const clock = new FixedClock(CLOCK_START, 1);
  const app = await createApp(parsed.config, clock);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    clock,
    config: parsed.config,
    dir,
    http: () => request(url),
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A valid event for JPN-KOR with a fresh summary; `overrides` replace top-level fields. */
export function jpnKorEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'export-control-tightened',
    date: '2019-07-04',
    actor: 'JPN',
    summary: 'Japan tightens export controls on three semiconductor materials bound for South Korea',
    data: {
      measureId: 'jpn-kor-semiconductor-materials-2019',
      items: ['fluorinated polyimide', 'photoresist', 'hydrogen fluoride'],
    },
    sources: [{ publisher: 'METI', url: 'https://www.meti.go.jp/english/press/2019/0701_001.html' }],
    ...overrides,
  };
}

/** A talks event (no subject, so never a possible duplicate) numbered `n`. */
export function talksEvent(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'talks-held',
    date: '2019-12-16',
    actor: 'JPN',
    summary: `Director-general talks on export controls, round ${n}`,
    data: { level: 'director-general', format: 'in-person' },
    sources: [{ publisher: 'MOFA' }],
    ...overrides,
  };
}
