import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { TokenRegistry } from './auth/token-registry';
import { parseConfig } from './config/app-config';
import { createApp } from './create-app';
import { SeedService } from './seed/seed.service';

/** Starts the server: configuration first (all problems at once), then the store, seed, listen. */
async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(
      `relations: invalid configuration, not starting:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    process.exitCode = 78;
    return;
  }
  const { config } = parsed;
  const app = await createApp(config, undefined, { exitOnSignal: true });
  const logger = new Logger('Main');
  const created = app.get(TokenRegistry).ensureInitialToken();
  if (created !== undefined) {
    // Shown once: only its SHA-256 is kept on disk.
    process.stdout.write(
      `\nCreated the first admin token (shown only now; its hash is kept in ${created.file}):\n\n  ${created.token}\n\n` +
        `Use it as "Authorization: Bearer <token>"; create more with: npm run cli -- tokens create <name> <role>\n\n`,
    );
  } else if (config.apiTokens === undefined) {
    logger.log(`API tokens are kept hashed in ${app.get(TokenRegistry).file}`);
  }
  await app.init();
  await app.get(SeedService).seedIfEmpty();
  await app.listen(config.port, config.host);
  logger.log(`relations listening on http://${config.host}:${config.port} (store: ${config.storeKind})`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `relations: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
