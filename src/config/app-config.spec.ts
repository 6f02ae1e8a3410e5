import { parseConfig } from './app-config';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const parsed = parseConfig({}, '/srv/relations');
    expect(parsed).toEqual({
      ok: true,
      config: {
        port: 3000,
        host: '127.0.0.1',
        eventStore: 'sqlite:/srv/relations/data/relations.db',
        storeKind: 'sqlite',
        dataDir: '/srv/relations/data',
        seed: { kind: 'bundled' },
        apiTokens: undefined,
        readAccess: 'public',
        logLevel: 'info',
        writeRateLimit: 600,
        readModelCacheMb: 256,
      },
    });
  });

  it('reads the read-model cache budget and refuses one too small or not a whole number', () => {
    const ok = parseConfig({ READ_MODEL_CACHE_MB: '4096' });
    expect(ok.ok && ok.config.readModelCacheMb).toBe(4096);
    expect(parseConfig({ READ_MODEL_CACHE_MB: '8' }).ok).toBe(true);
    for (const bad of ['7', '0', '-8', '1.5', '64MB', '10000000', ' 64']) {
      const parsed = parseConfig({ READ_MODEL_CACHE_MB: bad });
      expect(parsed.ok ? [] : parsed.problems).toEqual([
        `READ_MODEL_CACHE_MB must be an integer from 8 to 9999999 (MiB of heap for the read model's cache), got "${bad}"`,
      ]);
    }
  });

  it('keeps the data folder next to the SQLite file and its options after the path', () => {
    const parsed = parseConfig({ EVENT_STORE: 'sqlite:db/x.db?synchronous=NORMAL' }, '/srv');
    expect(parsed.ok && parsed.config).toMatchObject({
      eventStore: 'sqlite:/srv/db/x.db?synchronous=NORMAL',
      dataDir: '/srv/db',
    });
  });

  it('reads tokens, KurrentDB, a seed file and token-only reads', () => {
    const parsed = parseConfig(
      {
        EVENT_STORE: 'esdb://localhost:2113?tls=false',
        API_TOKENS: 'ann:admin:aaaaaaaaaa, rec:recorder:bb:bb:bb:bb',
        SEED: 'seed.ndjson',
        READ_ACCESS: 'token',
        LOG_LEVEL: 'debug',
        WRITE_RATE_LIMIT: '5',
        PORT: '8080',
        HOST: '0.0.0.0',
      },
      '/srv',
    );
    expect(parsed.ok && parsed.config).toMatchObject({
      storeKind: 'kurrentdb',
      apiTokens: [
        { name: 'ann', role: 'admin', token: 'aaaaaaaaaa' },
        { name: 'rec', role: 'recorder', token: 'bb:bb:bb:bb' },
      ],
      seed: { kind: 'file', path: '/srv/seed.ndjson' },
      readAccess: 'token',
      logLevel: 'debug',
      writeRateLimit: 5,
      port: 8080,
      host: '0.0.0.0',
    });
  });

  it('lists every problem at once', () => {
    const parsed = parseConfig({
      PORT: '70000',
      EVENT_STORE: 'mysql://x',
      API_TOKENS:
        'nobody,eve:root:secret-secret,bob:reader:short,bob:reader:long-enough,bob:recorder:another-long',
      READ_ACCESS: 'maybe',
      LOG_LEVEL: 'chatty',
      WRITE_RATE_LIMIT: '-3',
      READ_MODEL_CACHE_MB: 'lots',
    });
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toHaveLength(10);
    expect(problems.join('\n')).toMatch(/PORT[\s\S]*EVENT_STORE[\s\S]*API_TOKENS entry 1[\s\S]*role "root"/);
    expect(problems.join('\n')).toContain('names "bob" twice');
  });
});
