/**
 * The contract against a real KurrentDB: the one named by KURRENTDB_CONNECTION_STRING (CI runs a
 * service container), else one started with testcontainers when a container runtime is found,
 * else the suite is skipped and says why.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '../../src/store/event-store.port';
import { KurrentDbEventStore } from '../../src/store/kurrentdb-event-store';
import { describeEventStoreContract } from './event-store.contract';
import { reportSkip } from '../support/skip-reason';

/** Pinned with the compose file and CI; big appends allowed so the 1 MiB case fits. */
const KURRENTDB_IMAGE = 'kurrentplatform/kurrentdb:latest';
const MAX_APPEND_SIZE = String(8 * 1024 * 1024);

type Containers = typeof import('@testcontainers/kurrentdb');
type Plan =
  | { run: 'env'; connectionString: string }
  | { run: 'container'; socket: string; containers: Containers }
  | { skip: string };

/** Decided while Jest collects tests, so it must be synchronous and fast: no network here. */
function plan(): Plan {
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

const decided = plan();

if ('skip' in decided) {
  reportSkip(`KurrentDB contract skipped: ${decided.skip}`);
  describe.skip('kurrentdb event store contract', () => {
    it('needs a KurrentDB', () => undefined);
  });
} else {
  let connectionString = decided.run === 'env' ? decided.connectionString : '';
  let stop: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    if (decided.run !== 'container') return;
    const { KurrentDbContainer } = decided.containers;
    const started = await new KurrentDbContainer(KURRENTDB_IMAGE)
      .withEnvironment({ KURRENTDB_MAX_APPEND_SIZE: MAX_APPEND_SIZE })
      .start();
    connectionString = started.getConnectionString();
    stop = () => started.stop();
  }, 240_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  describeEventStoreContract('kurrentdb', async () => {
    let store: EventStore = KurrentDbEventStore.connect(connectionString);
    return {
      store,
      reopen: async () => {
        await store.close();
        store = KurrentDbEventStore.connect(connectionString);
        return store;
      },
      cleanup: () => store.close(),
      duplicateIds: 'stored',
    };
  });
}
