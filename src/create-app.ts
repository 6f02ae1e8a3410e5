import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import type { Clock } from './clock/clock';
import type { AppConfig } from './config/app-config';
import { configureApp } from './http/configure-app';

/**
 * The HTTP application, configured but not yet listening: what `main` starts and what the e2e
 * tests drive, so both exercise the same middleware, guards and filter.
 */
export async function createApp(
  config: AppConfig,
  clock?: Clock,
  options: { exitOnSignal?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, clock }), {
    // Our own JSON parser (1 MiB, JSON types only) runs behind the problem-aware middleware.
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app);
  // The server process ends with status 0 once a SIGTERM has been handled in full (and pino has
  // flushed); in-process users such as the e2e tests keep Nest's default of re-raising the signal.
  app.enableShutdownHooks(undefined, { useProcessExit: options.exitOnSignal === true });
  return app;
}
