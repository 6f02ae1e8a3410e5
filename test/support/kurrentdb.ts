/**
 * Where the tests that need a real KurrentDB find one: the database named by
 * KURRENTDB_CONNECTION_STRING (CI runs a service container), else one started with testcontainers
 * when a container runtime is found, else nowhere, with the reason a test prints as it skips.
 * Every file that runs against KurrentDB decides the same way, so none of them skips where
 * another runs.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The image the compose file and CI run; big appends allowed so the contract's 1 MiB case fits. */
const KURRENTDB_IMAGE = 'kurrentplatform/kurrentdb:latest';
const MAX_APPEND_SIZE = String(8 * 1024 * 1024);

type Containers = typeof import('@testcontainers/kurrentdb');
export type KurrentDbPlan =
  | { run: 'env'; connectionString: string }
  | { run: 'container'; socket: string; containers: Containers }
  | { skip: string };

/** Decided while Jest collects tests, so it must be synchronous and fast: no network here. */
export function planKurrentDb(): KurrentDbPlan {
  const fromEnv = process.env['KURRENTDB_CONNECTION_STRING'];
  if (fromEnv) return { run: 'env', connectionString: fromEnv };
  const dockerHost = process.env['DOCKER_HOST'];
  const candidates = [
    dockerHost?.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined,
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.colima', 'default', 'docker.sock'),
    process.env['XDG_RUNTIME_DIR']
      ? join(process.env['XDG_RUNTIME_DIR'], 'podman', 'podman.sock')
      : undefined,
  ].filter((path): path is string => path !== undefined);
  const socket =
    dockerHost && !dockerHost.startsWith('unix://') ? dockerHost : candidates.find((p) => existsSync(p));
  if (!socket) {
    return {
      skip: 'no KURRENTDB_CONNECTION_STRING and no container runtime (no Docker or Podman socket found)',
    };
  }
  // Loaded only here: testcontainers pulls in an HTTP client that some Node 20 releases cannot load.
  let containers: Containers;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    containers = require('@testcontainers/kurrentdb') as Containers;
  } catch (error) {
    return {
      skip: `a container runtime was found at ${socket}, but testcontainers cannot load on Node ${process.version} (${(error as Error).message}); set KURRENTDB_CONNECTION_STRING instead`,
    };
  }
  return { run: 'container', socket, containers };
}

/**
 * Registers, in the enclosing `describe` (or the file), what the plan needs before the first test
 * and after the last: a container started and stopped, or nothing for a database the environment
 * names. The function returned gives the connection string; call it inside a test or a hook.
 */
export function useKurrentDb(plan: Exclude<KurrentDbPlan, { skip: string }>): () => string {
  let connectionString = plan.run === 'env' ? plan.connectionString : '';
  let stop: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    if (plan.run !== 'container') return;
    const started = await new plan.containers.KurrentDbContainer(KURRENTDB_IMAGE)
      .withEnvironment({ KURRENTDB_MAX_APPEND_SIZE: MAX_APPEND_SIZE })
      .start();
    connectionString = started.getConnectionString();
    stop = () => started.stop();
  }, 240_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  return () => {
    if (!connectionString) throw new Error('the KurrentDB container has not started');
    return connectionString;
  };
}
