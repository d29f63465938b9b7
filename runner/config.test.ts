import { describe, expect, it } from 'vitest';
import { ConfigError, RUNNER_OPTIONS, loadRunnerConfig } from './config.js';

describe('loadRunnerConfig', () => {
  it('has defaults for everything', () => {
    expect(loadRunnerConfig({ TANDEM_RUNNER_ID: 'here' })).toMatchObject({
      relayUrl: 'http://127.0.0.1:8080',
      token: null,
      capacity: 4,
      runnerId: 'here',
      runtime: null,
      poolSize: 1,
      logLevel: 'info',
    });
  });

  it.each([
    ['TANDEM_RUNNER_CAPACITY', ''],
    ['TANDEM_RUNNER_CAPACITY', '0x10'],
    ['TANDEM_RUNNER_CAPACITY', '1e1'],
    ['TANDEM_RUNNER_CAPACITY', '0'],
    ['TANDEM_RUNNER_POOL_SIZE', '17'],
    ['TANDEM_RELAY_URL', 'ws://127.0.0.1:8080'],
    ['TANDEM_LOG_LEVEL', 'verbose'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => loadRunnerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadRunnerConfig({ [name]: value })).toThrow(name);
  });

  it('every option has a description, a unique variable and key, and a default that parses', () => {
    expect(new Set(RUNNER_OPTIONS.map((o) => o.env)).size).toBe(RUNNER_OPTIONS.length);
    expect(new Set(RUNNER_OPTIONS.map((o) => o.key)).size).toBe(RUNNER_OPTIONS.length);
    for (const option of RUNNER_OPTIONS) {
      expect(option.description.length).toBeGreaterThan(10);
      expect(() => option.parse(option.default)).not.toThrow();
    }
  });
});
