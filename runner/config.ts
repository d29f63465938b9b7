/**
 * Every runner option: environment variable, default, description, validator.
 * README's runner table is this list (scripts/configTable.ts prints it).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
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
} from '../server/config.js';
import type { LogLevel } from '../server/log.js';
import { ENGINE_DEFAULT_SECCOMP } from './sandbox/seccomp.js';

export interface RunnerConfig {
  relayUrl: string;
  token: string | null;
  dataDir: string;
  capacity: number;
  runnerId: string;
  runtime: string | null;
  seccompProfile: string | null;
  poolSize: number;
  workspacesMax: number;
  previewSocketsDir: string | null;
  npmRegistry: string | null;
  npmCacheDir: string | null;
  pipIndex: string | null;
  workspaceImage: string | null;
  buildImages: boolean;
  logLevel: LogLevel;
}

export { ConfigError };

export const RUNNER_OPTIONS: readonly ConfigOption<RunnerConfig>[] = [
  {
    key: 'relayUrl',
    env: 'TANDEM_RELAY_URL',
    default: 'http://127.0.0.1:8080',
    description: 'The relay this runner dials (http or https; the link is a WebSocket to /runner).',
    parse: httpOrigin,
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
    parse: directory,
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
    key: 'seccompProfile',
    env: 'TANDEM_RUNNER_SECCOMP',
    default: '',
    description:
      'Seccomp profile of sandboxes: empty for Tandem’s (Docker’s default without ptrace, process_vm_readv/writev, personality, the keyring, bpf, io_uring, namespaces and the other calls a sandbox never needs), builtin for the engine’s own default, or the path of a profile in Docker’s JSON format.',
    parse: seccompProfile,
  },
  {
    key: 'poolSize',
    env: 'TANDEM_RUNNER_POOL_SIZE',
    default: '1',
    description: 'Warm containers kept ready per language (0 turns the pool off).',
    parse: integer(0, 16),
  },
  {
    key: 'workspacesMax',
    env: 'TANDEM_WORKSPACES_MAX',
    default: '4',
    description:
      'Live workspaces (one long-lived container per room) this runner keeps at once; a room asking for one more is told none is free. 0: this runner keeps none.',
    parse: integer(0, 256),
  },
  {
    key: 'workspaceImage',
    env: 'TANDEM_IMAGE_WORKSPACE',
    default: '',
    description: 'Image of workspaces. Empty: the tandem-workspace image scripts/build-images builds.',
    parse: optional,
  },
  {
    key: 'previewSocketsDir',
    env: 'TANDEM_PREVIEW_SOCKETS_DIR',
    default: '',
    description:
      'Folder for the unix sockets that carry previews out of workspaces (one subfolder per workspace, mounted into it). Empty: a private folder under the system temp folder. A runner in a container must see it at the same path as Docker does.',
    parse: optional,
  },
  {
    key: 'npmRegistry',
    env: 'TANDEM_NPM_REGISTRY',
    default: 'auto',
    description:
      'The one npm registry workspaces install from, through the runner (the containers have no network). auto: the registry this machine’s npm uses. Empty: installs off (what the workspace image’s npm cache holds still installs).',
    parse: (raw) => {
      if (raw === '' || raw === 'auto') return raw === '' ? null : 'auto';
      return httpUrl(raw, 'must be an http(s) URL, auto, or empty');
    },
  },
  {
    key: 'pipIndex',
    env: 'TANDEM_PIP_INDEX',
    default: '',
    description:
      'A Python package index (PEP 503/691, e.g. https://pypi.org/simple/) that pip in workspaces installs from, through the runner; the files its pages link to, on any host, are reachable too, nothing else. Empty: pip installs off.',
    parse: (raw) => (raw === '' ? null : httpUrl(raw, 'must be an http(s) URL or empty')),
  },
  {
    key: 'npmCacheDir',
    env: 'TANDEM_NPM_CACHE_DIR',
    default: '',
    description:
      'Where the runner keeps the npm tarballs and pip files workspaces downloaded, for the next room. Empty: a folder under the system temp folder.',
    parse: optional,
  },
  {
    key: 'buildImages',
    env: 'TANDEM_BUILD_IMAGES',
    default: '1',
    description:
      'Build the sandbox images this runner lacks, in the background, one at a time (scripts/build-images: needs root, debootstrap and the docker command), with progress in the run panel. 0: never (images built by hand or by CI).',
    parse: flag,
  },
  logLevelOption<RunnerConfig>(),
];

/** The profile's JSON text (checked to be a JSON object), 'builtin', or null for Tandem's. */
function seccompProfile(raw: string): string | null {
  if (raw === '' || raw === ENGINE_DEFAULT_SECCOMP) return raw || null;
  let text: string;
  try {
    text = readFileSync(raw, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the seccomp profile ${raw}: ${(error as Error).message}`);
  }
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch {
    throw new ConfigError(`the seccomp profile ${raw} is not JSON`);
  }
  if (typeof profile !== 'object' || profile === null || !('defaultAction' in profile)) {
    throw new ConfigError(`the seccomp profile ${raw} has no defaultAction`);
  }
  return JSON.stringify(profile);
}

function httpUrl(raw: string, why: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(why);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(why);
  return url.href;
}

/** Reads every option from `env`; throws one ConfigError naming every bad variable. */
export function loadRunnerConfig(env: Record<string, string | undefined> = process.env): RunnerConfig {
  return loadOptions(RUNNER_OPTIONS, env);
}

/** The token to present: the configured one, or the relay's generated file. */
export function runnerToken(config: RunnerConfig): string {
  if (config.token) return config.token;
  const path = join(config.dataDir, 'runner-token');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new ConfigError(
      `no TANDEM_RUNNER_TOKEN and no readable ${path}: start the relay first or set the token`,
    );
  }
}
