#!/usr/bin/env node
import 'reflect-metadata';
import { closeSync, createReadStream, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { AppModule } from '../app.module';
import { TokenRegistry } from '../auth/token-registry';
import { parseConfig, ROLES, type AppConfig, type Role } from '../config/app-config';
import { ProblemError } from '../http/problem';
import { ImportService } from '../relations/import.service';
import { RelationQueries } from '../relations/relation-queries.service';
import { canonicalPair } from '../relations/relations.service';
import { RELATION_READ_MODEL, type RelationReadModel } from '../relations/relation-read-model';

/** Exit codes: 1 a failed command (bad input, invalid chain), 78 bad configuration (EX_CONFIG). */
const EXIT_FAILED = 1;
const EXIT_CONFIG = 78;

class CliFailure extends Error {}

/** The lines of a file, read as a stream (a read error surfaces from the loop that consumes them). */
function linesOf(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

function loadConfig(): AppConfig {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(
      `relations: invalid configuration:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    process.exit(EXIT_CONFIG);
  }
  return parsed.config;
}

/** Runs a command inside the application (same configuration, same store, same services as the server). */
async function withApp<T>(
  work: (app: INestApplicationContext) => Promise<T>,
  adjust: (config: AppConfig) => AppConfig = (config) => config,
): Promise<T> {
  const config = adjust(loadConfig());
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, http: false }), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/**
 * A bulk import commits one transaction per batch; syncing each to disk would make the disk's
 * flush latency the import's speed. Unless `EVENT_STORE` chooses its own `synchronous`, the
 * import's SQLite connection uses `NORMAL` (WAL stays crash-consistent, every batch atomic), and
 * closing the store at the end checkpoints and syncs the file. An import cut short by a power loss
 * may lose its last batches, never half of one; running it again stores exactly what is missing.
 */
export function forBulkImport(config: AppConfig): AppConfig {
  if (config.storeKind !== 'sqlite' || /[?&]synchronous=/i.test(config.eventStore)) return config;
  const separator = config.eventStore.includes('?') ? '&' : '?';
  return { ...config, eventStore: `${config.eventStore}${separator}synchronous=NORMAL` };
}

/** The principal of CLI imports: `cli:<os user>`, unless `--recorded-by` says otherwise. */
export function defaultRecordedBy(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Some containers have no passwd entry for the uid; the environment's USER will do.
  }
  return `cli:${user}`;
}

function parseDay(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected YYYY-MM-DD');
  return value;
}

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`one of ${ROLES.join(', ')}`);
  return value as Role;
}

export function buildProgram(): Command {
  const program = new Command()
    .name('relations')
    .description('The record of relations between pairs of countries: import, export, state, verify, tokens')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('import')
    .description('validate every line of an NDJSON file, then append its events pair by pair')
    .argument('<file>', 'NDJSON, one event envelope with its "pair" per line (the format export writes)')
    .option('--dry-run', 'validate only, store nothing')
    .option('--recorded-by <name>', 'the principal recorded with the events', defaultRecordedBy())
    .action(async (file: string, options: { dryRun?: boolean; recordedBy: string }) => {
      // Streamed twice, line by line: a file of a million events exceeds V8's longest string.
      try {
        closeSync(openSync(file, 'r'));
      } catch {
        throw new CliFailure(`cannot read ${file}`);
      }
      await withApp(async (app) => {
        const importer = app.get(ImportService);
        const checked = await importer.check(linesOf(file));
        if (checked.badLines.length > 0) {
          for (const bad of checked.badLines) {
            for (const error of bad.errors) {
              process.stderr.write(
                `${file}:${bad.line}: ${error.path === '' ? '' : `${error.path}: `}${error.message}\n`,
              );
            }
          }
          throw new CliFailure(`${checked.badLines.length} bad line(s); nothing was stored`);
        }
        if (options.dryRun) {
          for (const [pair, count] of checked.perPair)
            await write(process.stdout, `${pair}\t${count} valid\n`);
          await write(
            process.stdout,
            `dry run: ${checked.events} valid events in ${checked.perPair.size} pair(s), nothing stored\n`,
          );
          return;
        }
        const bar = process.stderr.isTTY
          ? new SingleBar(
              { stream: process.stderr, format: 'importing {bar} {value}/{total} events' },
              Presets.shades_classic,
            )
          : undefined;
        bar?.start(checked.events, 0);
        const started = process.hrtime.bigint();
        const summaries = await importer
          .importLines(linesOf(file), {
            recordedBy: options.recordedBy,
            source: 'import',
            onProgress: (n) => bar?.update(n),
          })
          .finally(() => bar?.stop());
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        for (const s of summaries) {
          await write(
            process.stdout,
            `${s.pair}\tstored ${s.stored}\talready present ${s.alreadyPresent}\trevision ${s.revision}\n`,
          );
        }
        const stored = summaries.reduce((n, s) => n + s.stored, 0);
        const present = summaries.reduce((n, s) => n + s.alreadyPresent, 0);
        await write(
          process.stdout,
          `imported ${checked.events} events in ${summaries.length} pair(s): ${stored} stored, ${present} already present (${seconds.toFixed(2)} s)\n`,
        );
      }, forBulkImport);
    });

  program
    .command('export')
    .description('write a pair as NDJSON (re-importable) or CSV to standard output')
    .argument('<pair>', 'e.g. JPN-KOR')
    .option('--format <format>', 'ndjson or csv', 'ndjson')
    .action(async (rawPair: string, options: { format: string }) => {
      if (options.format !== 'ndjson' && options.format !== 'csv')
        throw new CliFailure('--format is ndjson or csv');
      const format = options.format;
      await withApp(async (app) => {
        await write(process.stdout, await app.get(RelationQueries).export(canonicalPair(rawPair), format));
      });
    });

  program
    .command('state')
    .description('print the state of a pair as JSON')
    .argument('<pair>', 'e.g. JPN-KOR')
    .option('--as-of <date>', 'YYYY-MM-DD (default today)', parseDay)
    .option('--known-at <instant>', 'ISO 8601 instant (default now)')
    .action(async (rawPair: string, options: { asOf?: string; knownAt?: string }) => {
      await withApp(async (app) => {
        const state = await app.get(RelationQueries).state(canonicalPair(rawPair), {
          asOf: options.asOf,
          knownAt: options.knownAt,
        });
        await write(process.stdout, `${JSON.stringify(state, null, 2)}\n`);
      });
    });

  program
    .command('verify')
    .description('verify the hash chain of one pair, or of every pair; exits 1 when one is broken')
    .argument('[pair]', 'e.g. JPN-KOR (default: every pair)')
    .action(async (rawPair: string | undefined) => {
      await withApp(async (app) => {
        const queries = app.get(RelationQueries);
        const pairs =
          rawPair === undefined
            ? await app.get<RelationReadModel>(RELATION_READ_MODEL).pairs()
            : [canonicalPair(rawPair)];
        let broken = 0;
        for (const pair of pairs) {
          const result = await queries.verify(pair);
          if (result.valid) {
            await write(process.stdout, `${pair}\tvalid\t${result.checked} events\n`);
          } else {
            broken += 1;
            await write(
              process.stdout,
              `${pair}\tINVALID at revision ${result.firstInvalidRevision}: ${result.reason}\n`,
            );
          }
        }
        if (broken > 0) throw new CliFailure(`${broken} of ${pairs.length} chain(s) invalid`);
        if (pairs.length === 0) await write(process.stdout, 'no relations recorded\n');
      });
    });

  const tokens = program.command('tokens').description('manage API tokens (kept hashed in the data folder)');
  tokens
    .command('create')
    .description('create a token and print it once')
    .argument('<name>', 'becomes recordedBy of what the token appends')
    .argument('<role>', `one of ${ROLES.join(', ')}`, parseRole)
    .action(async (name: string, role: Role) => {
      const config = loadConfig();
      // No store needed: the registry only touches the token file.
      const registry = new TokenRegistry(config);
      let token: string;
      try {
        token = registry.create(name, role);
      } catch (error) {
        throw new CliFailure(error instanceof Error ? error.message : String(error));
      }
      await write(process.stdout, `${token}\n`);
      await write(
        process.stderr,
        `created ${role} token "${name}"; it is shown only now (its hash is in ${registry.file})\n`,
      );
    });

  return program;
}

async function run(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CliFailure) {
      process.stderr.write(`relations: ${error.message}\n`);
    } else if (error instanceof ProblemError) {
      process.stderr.write(`relations: ${error.title}: ${error.detail}\n`);
    } else {
      process.stderr.write(`relations: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = EXIT_FAILED;
  }
}

if (require.main === module) void run();
