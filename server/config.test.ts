import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  directory,
  flag,
  httpOrigin,
  integer,
  loadOptions,
  logLevelOption,
  optional,
  type ConfigOption,
} from './config.js';
import type { LogLevel } from './log.js';

interface Sample {
  size: number;
  on: boolean;
  logLevel: LogLevel;
}

const SAMPLE: readonly ConfigOption<Sample>[] = [
  { key: 'size', env: 'SIZE', default: '4', description: 'a size', parse: integer(1, 10) },
  { key: 'on', env: 'ON', default: 'false', description: 'a flag', parse: flag },
  logLevelOption<Sample>(),
];

describe('loadOptions', () => {
  it('reads defaults and variables', () => {
    expect(loadOptions(SAMPLE, {})).toEqual({ size: 4, on: false, logLevel: 'info' });
    expect(loadOptions(SAMPLE, { SIZE: '10', ON: '1', TANDEM_LOG_LEVEL: 'debug' })).toEqual({
      size: 10,
      on: true,
      logLevel: 'debug',
    });
  });

  it('refuses the whole configuration with one error naming every bad variable', () => {
    let error: unknown;
    try {
      loadOptions(SAMPLE, { SIZE: '11', ON: 'yes', TANDEM_LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['SIZE', 'ON', 'TANDEM_LOG_LEVEL']) expect(message).toContain(`${name}:`);
  });
});

describe('parsers', () => {
  it.each(['', ' 5', '5 ', '0x10', '1e1', '-1', '2.0', '+3', '11', String(2 ** 60)])(
    'integer refuses %j',
    (raw) => {
      expect(() => integer(0, 10)(raw)).toThrow(ConfigError);
    },
  );

  it('integer takes decimal digits within its range', () => {
    expect(integer(0, 10)('0')).toBe(0);
    expect(integer(0, 10)('007')).toBe(7);
  });

  it('flag, optional, directory and httpOrigin', () => {
    expect([flag('true'), flag('1'), flag('false'), flag('0'), flag('')]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(() => flag('yes')).toThrow(ConfigError);
    expect([optional(''), optional('runsc')]).toEqual([null, 'runsc']);
    expect(directory('data')).toBe(resolve('data'));
    expect(httpOrigin('https://relay.example.com:8443/path?q=1')).toBe('https://relay.example.com:8443');
    expect(() => httpOrigin('ftp://relay.example.com')).toThrow(ConfigError);
    expect(() => httpOrigin('not a url')).toThrow(ConfigError);
  });
});
