/**
 * Every runner option: environment variable, default, description, validator.
 * README's runner table is this list (scripts/configTable.ts prints it).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export interface RunnerConfig {
  relayUrl: string;
  token: string | null;
  dataDir: string;
  capacity: number;
  runnerId: string;
  runtime: string | null;
  poolSize: number;
}

export interface RunnerOption {
  key: keyof RunnerConfig;
  env: string;
  default: string;
  description: string;
  parse: (raw: string) => RunnerConfig[keyof RunnerConfig];
}

export class RunnerConfigError extends Error {
  override name = 'RunnerConfigError';
}

const integer = (min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RunnerConfigError(`expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
};
const optional = (raw: string) => (raw === '' ? null : raw);

export const RUNNER_OPTIONS: readonly RunnerOption[] = [
  {
    key: 'relayUrl',
    env: 'TANDEM_RELAY_URL',
    default: 'http://127.0.0.1:8080',
    description: 'The relay this runner dials (http or https; the link is a WebSocket to /runner).',
    parse: (raw) => {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new RunnerConfigError('expected http(s)');
      return url.origin;
    },
  },
  {
    key: 'token',
    env: 'TANDEM_RUNNER_TOKEN',
    default: '',
    description:
      "The relay's runner token. Empty: read <TANDEM_DATA_DIR>/runner-token (same machine as the relay).",
    parse: optional,
  },
  {
    key: 'dataDir',
    env: 'TANDEM_DATA_DIR',
    default: './data',
    description: 'Where to find runner-token when TANDEM_RUNNER_TOKEN is empty.',
    parse: (raw) => resolve(raw),
  },
  {
    key: 'capacity',
    env: 'TANDEM_RUNNER_CAPACITY',
    default: '4',
    description: 'Runs this runner executes at once; more wait in the relay’s queue.',
    parse: integer(1, 256),
  },
  {
    key: 'runnerId',
    env: 'TANDEM_RUNNER_ID',
    default: '',
    description:
      'Stable name of this runner: it labels its containers, and a restarted runner removes what its earlier self left. Runners sharing one Docker engine need distinct names. Empty: the host name.',
    parse: (raw) => raw || hostname(),
  },
  {
    key: 'runtime',
    env: 'TANDEM_RUNNER_RUNTIME',
    default: '',
    description:
      'Docker runtime for sandboxes, e.g. runsc (gVisor) where installed. Empty: the engine’s default.',
    parse: optional,
  },
  {
    key: 'poolSize',
    env: 'TANDEM_RUNNER_POOL_SIZE',
    default: '1',
    description: 'Warm containers kept ready per language (0 turns the pool off).',
    parse: integer(0, 16),
  },
];

export function loadRunnerConfig(env: Record<string, string | undefined> = process.env): RunnerConfig {
  const config: Partial<Record<keyof RunnerConfig, unknown>> = {};
  const problems: string[] = [];
  for (const option of RUNNER_OPTIONS) {
    try {
      config[option.key] = option.parse(env[option.env] ?? option.default);
    } catch (error) {
      problems.push(`${option.env}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) throw new RunnerConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as RunnerConfig;
}

/** The token to present: the configured one, or the relay's generated file. */
export function runnerToken(config: RunnerConfig): string {
  if (config.token) return config.token;
  const path = join(config.dataDir, 'runner-token');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new RunnerConfigError(
      `no TANDEM_RUNNER_TOKEN and no readable ${path}: start the relay first or set the token`,
    );
  }
}
