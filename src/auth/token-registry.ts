import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ROLES, type AppConfig, type Role } from '../config/app-config';

/** Who made a request: the token's name becomes `recordedBy`. */
export interface Principal {
  name: string;
  role: Role;
}

interface TokenEntry {
  name: string;
  role: Role;
  /** SHA-256 of the token; the plaintext is never kept. */
  sha256: string;
  createdAt?: string;
}

interface TokenFile {
  version: 1;
  tokens: TokenEntry[];
}

/** Tokens are 32 random bytes: SHA-256 is enough to keep them on disk (no password to stretch). */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A fresh token, shown once. */
export function generateToken(): string {
  return `rel_${randomBytes(32).toString('base64url')}`;
}

export function canWrite(role: Role): boolean {
  return role === 'recorder' || role === 'admin';
}

/**
 * The known tokens: those of `API_TOKENS` plus those kept hashed (mode 0600) in
 * `<data folder>/tokens.json`, which the first start fills with one admin token when `API_TOKENS`
 * is unset, and `relations tokens create` extends.
 */
@Injectable()
export class TokenRegistry {
  private entries: { name: string; role: Role; hash: Buffer }[] = [];
  /** mtime of the token file when last read, so tokens created by the CLI are picked up. */
  private fileVersion = -1;
  readonly file: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.file = join(config.dataDir, 'tokens.json');
    this.reload();
  }

  /** Re-reads the token file. */
  reload(): void {
    this.fileVersion = this.currentFileVersion();
    const fromConfig = (this.config.apiTokens ?? []).map((t) => ({
      name: t.name,
      role: t.role,
      hash: digest(t.token),
    }));
    const fromFile = this.readFile().tokens.map((t) => ({
      name: t.name,
      role: t.role,
      hash: Buffer.from(t.sha256, 'hex'),
    }));
    this.entries = [...fromConfig, ...fromFile];
  }

  /**
   * Creates the first admin token when `API_TOKENS` is unset and no token file exists yet, and
   * says where it is kept. Returns the plaintext (shown once) or `undefined` when nothing was created.
   */
  ensureInitialToken(): { token: string; file: string } | undefined {
    if (this.config.apiTokens !== undefined || existsSync(this.file)) return undefined;
    const token = this.create('admin', 'admin');
    return { token, file: this.file };
  }

  /** Adds a token to the hashed file and returns its plaintext, which is not kept anywhere. */
  create(name: string, role: Role): string {
    if (!/^[A-Za-z0-9._:@-]{1,64}$/.test(name)) {
      throw new Error('a token name is 1-64 letters, digits or . _ : @ -');
    }
    if (!ROLES.includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    const current = this.readFile();
    if (current.tokens.some((t) => t.name === name) || this.config.apiTokens?.some((t) => t.name === name)) {
      throw new Error(`a token named "${name}" already exists`);
    }
    const token = generateToken();
    current.tokens.push({
      name,
      role,
      sha256: digest(token).toString('hex'),
      createdAt: new Date().toISOString(),
    });
    mkdirSync(this.config.dataDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
    this.reload();
    return token;
  }

  /**
   * The principal of a presented token, or `undefined`. Every known hash is compared, in constant
   * time, so neither the match nor its position leaks through timing.
   */
  authenticate(presented: string): Principal | undefined {
    const found = this.match(digest(presented));
    // A token created by `relations tokens create` while the server runs: read the file again.
    if (found === undefined && this.currentFileVersion() !== this.fileVersion) {
      this.reload();
      return this.match(digest(presented));
    }
    return found;
  }

  private currentFileVersion(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return -1;
    }
  }

  private match(hash: Buffer): Principal | undefined {
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(hash, entry.hash) && found === undefined)
        found = { name: entry.name, role: entry.role };
    }
    return found;
  }

  private readFile(): TokenFile {
    if (!existsSync(this.file)) return { version: 1, tokens: [] };
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<TokenFile>;
    const tokens = Array.isArray(parsed.tokens) ? parsed.tokens : [];
    return {
      version: 1,
      tokens: tokens.filter(
        (t): t is TokenEntry =>
          typeof t?.name === 'string' &&
          ROLES.includes(t.role) &&
          typeof t.sha256 === 'string' &&
          /^[0-9a-f]{64}$/.test(t.sha256),
      ),
    };
  }
}
