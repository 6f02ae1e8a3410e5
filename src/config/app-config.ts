import { isAbsolute, dirname, resolve } from 'node:path';
import { parseStoreUrl } from '../store/create-event-store';

/** The roles a token can carry: readers read, recorders also append, admins also manage tokens. */
export type Role = 'reader' | 'recorder' | 'admin';
export const ROLES: readonly Role[] = ['reader', 'recorder', 'admin'];

/** A token given in `API_TOKENS`; the plaintext is hashed as soon as the registry loads it. */
export interface ConfiguredToken {
  name: string;
  role: Role;
  token: string;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** What `SEED` asks for: the bundled dataset, nothing, or one NDJSON file. */
export type SeedSetting = { kind: 'bundled' } | { kind: 'none' } | { kind: 'file'; path: string };

/** The whole configuration, parsed and checked once at start; nothing else reads `process.env`. */
export interface AppConfig {
  port: number;
  host: string;
  /** The store's connection string as given (`sqlite:<file>`, `kurrentdb://…`, `esdb://…`, `memory`). */
  eventStore: string;
  storeKind: 'sqlite' | 'kurrentdb' | 'memory';
  /** Where the generated admin token is kept: next to the SQLite file, else `./data`. */
  dataDir: string;
  seed: SeedSetting;
  /** `undefined` when `API_TOKENS` is unset: tokens then live hashed in `<dataDir>/tokens.json`. */
  apiTokens: ConfiguredToken[] | undefined;
  readAccess: 'public' | 'token';
  logLevel: LogLevel;
  /** Appending requests allowed per token per minute. */
  writeRateLimit: number;
  /** Heap the read model's cache may fill, in MiB (`READ_MODEL_CACHE_MB`). */
  readModelCacheMb: number;
}

/** The read model's cache by default: ~80,000 events and their checkpoints (see `src/read-model`). */
export const DEFAULT_READ_MODEL_CACHE_MB = 256;
/** Below this a cache holds too few events to be worth having. */
const MIN_READ_MODEL_CACHE_MB = 8;

export type ConfigParse = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

/** Thrown at start when the environment is not a valid configuration; lists every problem. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return 3000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    problems.push(`PORT must be an integer from 0 to 65535, got "${raw}"`);
    return 3000;
  }
  return Number(raw);
}

function parseStore(
  raw: string | undefined,
  cwd: string,
  problems: string[],
): Pick<AppConfig, 'eventStore' | 'storeKind' | 'dataDir'> {
  const value = raw === undefined || raw === '' ? 'sqlite:./data/relations.db' : raw;
  const defaultDir = resolve(cwd, 'data');
  const parsed = parseStoreUrl(value);
  switch (parsed.kind) {
    case 'invalid':
      problems.push(parsed.problem);
      return { eventStore: value, storeKind: 'memory', dataDir: defaultDir };
    case 'memory':
      return { eventStore: 'memory', storeKind: 'memory', dataDir: defaultDir };
    case 'kurrentdb':
      return { eventStore: value, storeKind: 'kurrentdb', dataDir: defaultDir };
    case 'sqlite': {
      // Resolved once here, so the server, the CLI and the token file agree whatever their cwd.
      const absolute = isAbsolute(parsed.file) ? parsed.file : resolve(cwd, parsed.file);
      const options = value.slice('sqlite:'.length + parsed.file.length);
      return { eventStore: `sqlite:${absolute}${options}`, storeKind: 'sqlite', dataDir: dirname(absolute) };
    }
  }
}

function parseSeed(raw: string | undefined, cwd: string): SeedSetting {
  if (raw === undefined || raw === '' || raw === 'bundled') return { kind: 'bundled' };
  if (raw === 'none') return { kind: 'none' };
  return { kind: 'file', path: isAbsolute(raw) ? raw : resolve(cwd, raw) };
}

function parseTokens(raw: string | undefined, problems: string[]): ConfiguredToken[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const tokens: ConfiguredToken[] = [];
  const names = new Set<string>();
  raw.split(',').forEach((entry, index) => {
    const parts = entry.trim().split(':');
    const [name, role, ...rest] = parts;
    const token = rest.join(':');
    if (parts.length < 3 || !name || !role || !token) {
      problems.push(`API_TOKENS entry ${index + 1} must be name:role:token`);
      return;
    }
    if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`API_TOKENS entry ${index + 1} ("${name}") has role "${role}"; use ${ROLES.join(', ')}`);
      return;
    }
    if (token.length < 8) {
      problems.push(`API_TOKENS entry ${index + 1} ("${name}") has a token shorter than 8 characters`);
      return;
    }
    if (names.has(name)) problems.push(`API_TOKENS names "${name}" twice`);
    names.add(name);
    tokens.push({ name, role: role as Role, token });
  });
  return tokens;
}

/**
 * Parses the environment into an {@link AppConfig}, collecting every problem rather than stopping
 * at the first, so one failed start tells the operator everything to fix.
 */
export function parseConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ConfigParse {
  const problems: string[] = [];
  const port = parsePort(env.PORT, problems);
  const host = env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST;
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host))
    problems.push(`HOST must be a host name or address, got "${host}"`);
  const store = parseStore(env.EVENT_STORE, cwd, problems);
  const seed = parseSeed(env.SEED, cwd);
  const apiTokens = parseTokens(env.API_TOKENS, problems);
  const readAccessRaw = env.READ_ACCESS === undefined || env.READ_ACCESS === '' ? 'public' : env.READ_ACCESS;
  if (readAccessRaw !== 'public' && readAccessRaw !== 'token') {
    problems.push(`READ_ACCESS must be public or token, got "${readAccessRaw}"`);
  }
  const logLevelRaw = env.LOG_LEVEL === undefined || env.LOG_LEVEL === '' ? 'info' : env.LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const rateRaw =
    env.WRITE_RATE_LIMIT === undefined || env.WRITE_RATE_LIMIT === '' ? '600' : env.WRITE_RATE_LIMIT;
  if (!/^[1-9]\d{0,8}$/.test(rateRaw)) {
    problems.push(
      `WRITE_RATE_LIMIT must be a positive integer (appends per token per minute), got "${rateRaw}"`,
    );
  }
  const cacheRaw =
    env.READ_MODEL_CACHE_MB === undefined || env.READ_MODEL_CACHE_MB === ''
      ? String(DEFAULT_READ_MODEL_CACHE_MB)
      : env.READ_MODEL_CACHE_MB;
  if (!/^[1-9]\d{0,6}$/.test(cacheRaw) || Number(cacheRaw) < MIN_READ_MODEL_CACHE_MB) {
    problems.push(
      `READ_MODEL_CACHE_MB must be an integer from ${MIN_READ_MODEL_CACHE_MB} to 9999999 (MiB of heap for the read model's cache), got "${cacheRaw}"`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port,
      host,
      ...store,
      seed,
      apiTokens,
      readAccess: readAccessRaw as 'public' | 'token',
      logLevel: logLevelRaw as LogLevel,
      writeRateLimit: Number(rateRaw),
      readModelCacheMb: Number(cacheRaw),
    },
  };
}

/** Like {@link parseConfig} but throws {@link InvalidConfigError}. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd?: string): AppConfig {
  const parsed = parseConfig(env, cwd);
  if (!parsed.ok) throw new InvalidConfigError(parsed.problems);
  return parsed.config;
}

/** Injection token of the parsed {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
