import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import type { Clock } from './clock/clock';
import type { AppConfig } from './config/app-config';
import { configureApp, createHttpAdapter } from './http/configure-app';

/**
 * The HTTP application, configured but not yet listening: what `main` starts and what the e2e
 * tests drive, so both exercise the same middleware, guards and filter.
 */
export async function createApp(
  config: AppConfig,
  clock?: Clock,
  options: { exitOnSignal?: boolean } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, clock }),
    createHttpAdapter(),
    {
      // Our own JSON parser (1 MiB, UTF-8, JSON types only) is registered by configureApp.
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  await configureApp(app);
  // The server process ends with status 0 once a SIGTERM has been handled in full (and pino has
  // flushed); in-process users such as the e2e tests keep Nest's default of re-raising the signal.
  app.enableShutdownHooks(undefined, { useProcessExit: options.exitOnSignal === true });
  return app;
}
