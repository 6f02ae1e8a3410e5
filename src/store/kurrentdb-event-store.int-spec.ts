import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import {
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { randomUUID } from 'node:crypto';
import {
  InvalidEventError,
  RevisionConflictError,
  StoreUnavailableError,
  StoredEvent,
} from './event-store.port';
import { KurrentDbEventStore, mapClientError } from './kurrentdb-event-store';

/** Nothing listens on port 1: the client gets a real ECONNREFUSED, as with a stopped server. */
const UNREACHABLE = 'kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1&discoveryInterval=50';

function serviceError(code: status, details: string, headers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

const meta = {
  recordedAt: '2026-01-01T00:00:00.000Z',
  recordedBy: 'test',
  schemaVersion: 1,
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
};

describe('KurrentDB adapter error mapping', () => {
  it('maps a wrong expected version to a conflict carrying the expected and actual revisions', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'relation-JPN-KOR',
      expected: 3n,
      current: 7n,
    });
    const mapped = mapClientError(error, { streamName: 'relation-JPN-KOR', expected: 3 });
    expect(mapped).toBeInstanceOf(RevisionConflictError);
    expect(mapped).toMatchObject({ streamName: 'relation-JPN-KOR', expectedRevision: 3, actualRevision: 7 });
  });

  it('maps a wrong expected version on a missing stream to actual revision -1', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'relation-CHN-USA',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    const mapped = mapClientError(error, { streamName: 'relation-CHN-USA', expected: 'stream-exists' });
    expect(mapped).toMatchObject({
      code: 'revision-conflict',
      expectedRevision: 'stream-exists',
      actualRevision: -1,
    });
  });

  it.each([
    ['the client unavailable error', new UnavailableError(serviceError(status.UNAVAILABLE, 'down'))],
    [
      'a raw gRPC code 14 error',
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
    ],
    ['a deadline exceeded', new DeadlineExceededError(serviceError(status.DEADLINE_EXCEEDED, 'slow'))],
    [
      'a follower answering a write',
      new NotLeaderError(
        serviceError(status.NOT_FOUND, 'not leader', {
          'leader-endpoint-host': 'node2',
          'leader-endpoint-port': '2113',
        }),
      ),
    ],
    ['an unknown error', new Error('something else')],
  ])('maps %s to store-unavailable', (_case, error) => {
    const mapped = mapClientError(error, {});
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.code).toBe('store-unavailable');
    expect((mapped as Error & { cause?: unknown }).cause).toBe(error);
  });

  it('maps a too-large append to an invalid event', () => {
    const mapped = mapClientError(new MaxAppendSizeExceededError(undefined, 1024), {});
    expect(mapped).toBeInstanceOf(InvalidEventError);
  });
});

describe('KurrentDB adapter against a server that does not answer', () => {
  let store: KurrentDbEventStore;
  beforeEach(() => {
    store = KurrentDbEventStore.connect(UNREACHABLE);
  });
  afterEach(async () => {
    await store.close();
  });

  it('reports every operation as store-unavailable', async () => {
    const event = { id: randomUUID(), type: 'talks-held', data: { level: 'leader' }, metadata: meta };
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append('relation-JPN-KOR', [event])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('relation-JPN-KOR')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.listStreams('relation-')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.findEvent(event.id)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.streamRevision('relation-JPN-KOR')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('reports a subscription that cannot reach the server through onError', async () => {
    const errors: Error[] = [];
    const seen: StoredEvent[] = [];
    const subscription = store.subscribe(
      { streamPrefix: 'relation-' },
      (event) => {
        seen.push(event);
      },
      (error) => errors.push(error),
    );
    const deadline = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.close();
    expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
    expect(seen).toEqual([]);
  });

  it('accepts the older esdb:// scheme', async () => {
    const legacy = KurrentDbEventStore.connect(UNREACHABLE.replace('kurrentdb://', 'esdb://'));
    await expect(legacy.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await legacy.close();
  });
});
