/**
 * Configuration from environment variables, one way for the relay and the
 * runner: each lists its options (variable, default, description, parser), and
 * `loadOptions` reads them all, refusing the whole configuration with one
 * ConfigError that names every bad variable. Parsers are strict: a number is
 * decimal digits only (no "", "0x10", "1e1", " 5"), a flag is true/false/1/0.
 * README's tables are these lists (scripts/configTable.ts).
 */
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from './log.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigOption<C> {
  key: keyof C;
  env: string;
  default: string;
  description: string;
  parse: (raw: string) => C[keyof C];
}

/** Reads every option from `env`; throws one ConfigError naming every bad variable. */
export function loadOptions<C>(
  options: readonly ConfigOption<C>[],
  env: Record<string, string | undefined>,
): C {
  const config: Partial<Record<keyof C, unknown>> = {};
  const problems: string[] = [];
  for (const option of options) {
    try {
      config[option.key] = option.parse(env[option.env] ?? option.default);
    } catch (error) {
      problems.push(`${option.env}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as C;
}

/** A whole number from `min` to `max`, written in decimal digits. */
export const integer =
  (min: number, max: number) =>
  (raw: string): number => {
    const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(`expected a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };

export const text = (raw: string): string => raw;

/** Empty is "not set". */
export const optional = (raw: string): string | null => (raw === '' ? null : raw);

/** A directory, made absolute against the working directory. */
export const directory = (raw: string): string => resolve(raw);

export const flag = (raw: string): boolean => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0' || raw === '') return false;
  throw new ConfigError('expected true or false');
};

/** An http(s) URL, kept as its origin. */
export const httpOrigin = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`expected an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('expected an http(s) URL');
  return url.origin;
};

export const optionalHttpOrigin = (raw: string): string | null => (raw === '' ? null : httpOrigin(raw));

export const logLevel = (raw: string): LogLevel => {
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as LogLevel;
};

/** The option every process has: how much it logs. */
export function logLevelOption<C extends { logLevel: LogLevel }>(): ConfigOption<C> {
  return {
    key: 'logLevel',
    env: 'TANDEM_LOG_LEVEL',
    default: 'info',
    description: 'debug, info, warn or error. Logs are JSON lines.',
    parse: logLevel as (raw: string) => C[keyof C],
  };
}
