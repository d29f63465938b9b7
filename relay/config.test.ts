import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, OPTIONS, loadConfig } from './config.js';

const MIB = 1024 * 1024;

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: resolve('./data'),
      publicUrl: null,
      clientDir: resolve('./client/dist'),
      maxMessageBytes: 8 * MIB,
      maxConnectionsPerRoom: 50,
      sendBufferMaxBytes: 16 * MIB,
      pingIntervalMs: 30_000,
      roomIdleUnloadMs: 30_000,
      tokenTtlSeconds: 30 * 86_400,
      compactAfterUpdates: 1000,
      logLevel: 'info',
      ...Object.fromEntries(
        OPTIONS.filter((o) => !KNOWN_KEYS.includes(o.key)).map((o) => [o.key, o.parse(o.default)]),
      ),
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      TANDEM_DATA_DIR: '/var/lib/tandem',
      TANDEM_PUBLIC_URL: 'https://tandem.example.com/some/path?q=1',
      TANDEM_CLIENT_DIR: 'relative/dist',
      TANDEM_MAX_MESSAGE_BYTES: '1024',
      TANDEM_MAX_CONNECTIONS_PER_ROOM: '10000',
      TANDEM_SEND_BUFFER_MAX_BYTES: String(64 * 1024),
      TANDEM_PING_INTERVAL_MS: '100',
      TANDEM_ROOM_IDLE_UNLOAD_MS: '0',
      TANDEM_TOKEN_TTL_SECONDS: '60',
      TANDEM_COMPACT_AFTER_UPDATES: '10',
      TANDEM_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/tandem',
      publicUrl: 'https://tandem.example.com',
      clientDir: resolve('relative/dist'),
      maxMessageBytes: 1024,
      maxConnectionsPerRoom: 10_000,
      sendBufferMaxBytes: 64 * 1024,
      pingIntervalMs: 100,
      roomIdleUnloadMs: 0,
      tokenTtlSeconds: 60,
      compactAfterUpdates: 10,
      logLevel: 'debug',
    });
  });

  it('keeps an http public URL with its port and drops a trailing slash', () => {
    expect(loadConfig({ TANDEM_PUBLIC_URL: 'http://localhost:5173/' }).publicUrl).toBe(
      'http://localhost:5173',
    );
  });

  it('reads allowed origins as a list of origins, refusing anything else', () => {
    expect(loadConfig({}).allowedOrigins).toBeNull();
    expect(
      loadConfig({ TANDEM_ALLOWED_ORIGINS: 'https://LMS.example.com/, http://localhost:5173' })
        .allowedOrigins,
    ).toEqual(['https://lms.example.com', 'http://localhost:5173']);
    expect(() =>
      loadConfig({ TANDEM_ALLOWED_ORIGINS: 'https://ok.example.com,ftp://no.example.com' }),
    ).toThrow(/TANDEM_ALLOWED_ORIGINS/);
  });

  it('takes a PostgreSQL and a Redis URL, refusing other schemes, and Redis only with a database', () => {
    const databaseUrl = 'postgres://tandem:secret@db:5432/tandem';
    expect(loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: 'redis://cache:6379' })).toMatchObject({
      databaseUrl,
      redisUrl: 'redis://cache:6379',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/tandem' })).toThrow(/DATABASE_URL.*postgres:\/\//);
    expect(() => loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: 'http://cache' })).toThrow(/redis:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(/REDIS_URL needs DATABASE_URL/);
  });

  it('accepts every log level', () => {
    for (const level of ['debug', 'info', 'warn', 'error']) {
      expect(loadConfig({ TANDEM_LOG_LEVEL: level }).logLevel).toBe(level);
    }
  });

  it('gives one ConfigError naming every bad variable', () => {
    const bad = {
      PORT: '65536',
      TANDEM_PUBLIC_URL: 'ftp://example.com',
      TANDEM_MAX_MESSAGE_BYTES: '1023',
      TANDEM_MAX_CONNECTIONS_PER_ROOM: '0',
      TANDEM_PING_INTERVAL_MS: '1.5',
      TANDEM_TOKEN_TTL_SECONDS: 'a week',
      TANDEM_LOG_LEVEL: 'loud',
    };
    let error: unknown;
    try {
      loadConfig({ ...bad, HOST: 'fine' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of Object.keys(bad)) expect(message).toContain(name);
    expect(message).not.toContain('HOST');
  });

  it.each([
    ['PORT', '-1'],
    ['PORT', 'abc'],
    ['PORT', '80.5'],
    ['PORT', ''],
    ['PORT', '0x50'],
    ['PORT', '1e3'],
    ['TANDEM_PUBLIC_URL', 'not a url'],
    ['TANDEM_PUBLIC_URL', 'javascript:alert(1)'],
    ['TANDEM_SEND_BUFFER_MAX_BYTES', String(2 * 1024 * MIB)],
    ['TANDEM_COMPACT_AFTER_UPDATES', '9'],
    ['TANDEM_ROOM_IDLE_UNLOAD_MS', String(Number.MAX_SAFE_INTEGER + 2)],
    ['TANDEM_LOG_LEVEL', 'INFO'],
    ['TANDEM_LOG_LEVEL', ''],
  ])('refuses %s=%j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('OPTIONS', () => {
  it('every option has a description, a unique variable and key, and a default that parses', () => {
    expect(new Set(OPTIONS.map((o) => o.env)).size).toBe(OPTIONS.length);
    expect(new Set(OPTIONS.map((o) => o.key)).size).toBe(OPTIONS.length);
    for (const option of OPTIONS) {
      expect(option.description.trim().length, option.env).toBeGreaterThan(0);
      expect(option.env, option.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(() => option.parse(option.default), option.env).not.toThrow();
    }
  });
});

const KNOWN_KEYS: readonly string[] = [
  'port',
  'host',
  'dataDir',
  'publicUrl',
  'clientDir',
  'maxMessageBytes',
  'maxConnectionsPerRoom',
  'sendBufferMaxBytes',
  'pingIntervalMs',
  'roomIdleUnloadMs',
  'tokenTtlSeconds',
  'compactAfterUpdates',
  'logLevel',
];
