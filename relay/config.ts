/**
 * Every relay option: environment variable, default, description and validator.
 * README's configuration table is this list: `node --import tsx scripts/configTable.ts`
 * prints it, and scripts/readme.test.ts keeps README in step.
 */
import {
  ConfigError,
  directory,
  flag,
  httpOrigin,
  integer,
  loadOptions,
  logLevelOption,
  optionalHttpOrigin,
  text,
  type ConfigOption,
} from '../server/config.js';
import type { LogLevel } from '../server/log.js';

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  publicUrl: string | null;
  allowedOrigins: string[] | null;
  metricsToken: string | null;
  clientDir: string;
  maxMessageBytes: number;
  maxConnectionsPerRoom: number;
  maxConnectionsPerAddress: number;
  maxDocumentBytes: number;
  maxTypeDepth: number;
  roomsPerMinute: number;
  joinsPerMinute: number;
  sendBufferMaxBytes: number;
  closeGraceMs: number;
  pingIntervalMs: number;
  roomIdleUnloadMs: number;
  tokenTtlSeconds: number;
  compactAfterUpdates: number;
  logLevel: LogLevel;
  runnerToken: string | null;
  iceUrls: string[];
  turnSecret: string | null;
  turnTtlSeconds: number;
  iceRelayOnly: boolean;
  runTimeoutMs: number;
  terminalTimeoutMs: number;
  runMemoryBytes: number;
  runPids: number;
  runCpuMillis: number;
  runOutputBytes: number;
  runDiskBytes: number;
  runQueuePerRoom: number;
  runActivePerRoom: number;
  runnerStartupWaitMs: number;
  runSnapshotMaxBytes: number;
  runStoredOutputBytes: number;
  workspaceIdleMs: number;
  workspaceMaxMs: number;
  workspaceMemoryBytes: number;
  workspaceDiskBytes: number;
  workspaceCpuMillis: number;
  workspacePids: number;
  workspaceFileMaxBytes: number;
  workspaceFilesMax: number;
  previewPort: number;
  previewUrl: string | null;
  previewBodyMaxBytes: number;
  previewAnswerTimeoutMs: number;
  devServerMaxMs: number;
}

export { ConfigError };

const optionalSecret = (raw: string): string | null => {
  if (raw === '') return null;
  if (raw.length < 16) throw new ConfigError('must be at least 16 characters');
  return raw;
};

const iceUrls = (raw: string): string[] => {
  const urls = raw
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    if (!/^(stuns?|turns?):[^\s]+$/.test(url)) throw new ConfigError(`not a stun: or turn: URL: ${url}`);
  }
  return urls;
};

const MIB = 1024 * 1024;

export const OPTIONS: readonly ConfigOption<RelayConfig>[] = [
  {
    key: 'port',
    env: 'PORT',
    default: '8080',
    description: 'TCP port to listen on (0 picks a free one).',
    parse: integer(0, 65535),
  },
  {
    key: 'host',
    env: 'HOST',
    default: '127.0.0.1',
    description: 'Address to listen on. Use 0.0.0.0 to serve other machines.',
    parse: text,
  },
  {
    key: 'dataDir',
    env: 'TANDEM_DATA_DIR',
    default: './data',
    description: 'Where the SQLite database and the token secret live.',
    parse: directory,
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    default: '',
    description:
      'PostgreSQL instead of the embedded SQLite (postgres://user:password@host:5432/db): rooms, logs, snapshots, runs and links live there, so several relays can share them. The schema is created and migrated at start. Secrets stay in TANDEM_DATA_DIR. Empty: SQLite in TANDEM_DATA_DIR.',
    parse: optionalUrl(['postgres:', 'postgresql:']),
  },
  {
    key: 'redisUrl',
    env: 'REDIS_URL',
    default: '',
    description:
      'Redis (redis://host:6379) through which several relays share rooms: what one stores or hears in a room reaches the others holding it. Needs DATABASE_URL (the relays share their storage). Empty: this relay alone holds its rooms.',
    parse: optionalUrl(['redis:', 'rediss:']),
  },
  {
    key: 'publicUrl',
    env: 'TANDEM_PUBLIC_URL',
    default: '',
    description:
      'Origin used in share links (e.g. https://tandem.example.com). Empty: the address the request came to.',
    parse: optionalHttpOrigin,
  },
  {
    key: 'allowedOrigins',
    env: 'TANDEM_ALLOWED_ORIGINS',
    default: '',
    description:
      'Other sites’ pages (origins, comma-separated, e.g. https://lms.example.com) that may open room sockets and change things through the API, besides the relay’s own (TANDEM_PUBLIC_URL, or the host a request came to); they also get CORS answers. Empty: the relay’s own only. Requests without an Origin header (CLI, SDK in Node, runners) are not affected.',
    parse: (raw) => (raw.trim() === '' ? null : raw.split(',').map((origin) => httpOrigin(origin.trim()))),
  },
  {
    key: 'metricsToken',
    env: 'TANDEM_METRICS_TOKEN',
    default: '',
    description:
      'Bearer token for GET /metrics (Prometheus text format: rooms, connections, messages, refusals, store latency, runs, event-loop lag). Empty: /metrics is off (404).',
    parse: (raw) => {
      if (raw === '') return null;
      if (raw.length < 16 || /\s/.test(raw))
        throw new ConfigError('must be at least 16 characters, no spaces');
      return raw;
    },
  },
  {
    key: 'clientDir',
    env: 'TANDEM_CLIENT_DIR',
    default: './client/dist',
    description: 'Built client served at / (skipped if missing).',
    parse: directory,
  },
  {
    key: 'maxMessageBytes',
    env: 'TANDEM_MAX_MESSAGE_BYTES',
    default: String(8 * MIB),
    description: 'Largest WebSocket frame accepted; larger ones close the socket (1009).',
    parse: integer(1024, 256 * MIB),
  },
  {
    key: 'maxConnectionsPerRoom',
    env: 'TANDEM_MAX_CONNECTIONS_PER_ROOM',
    default: '50',
    description:
      'Sockets one room accepts from viewers; further viewers get 429 room_full. Editors may go a fifth past it and the owner two fifths, so a crowd of viewers never locks them out.',
    parse: integer(1, 10_000),
  },
  {
    key: 'maxConnectionsPerAddress',
    env: 'TANDEM_MAX_CONNECTIONS_PER_ADDRESS',
    default: '100',
    description:
      'Open room sockets one client address may hold; more get 429 rate_limited. Behind a proxy or a school NAT every client shares its address. 0: no limit.',
    parse: integer(0, 1_000_000),
  },
  {
    key: 'maxDocumentBytes',
    env: 'TANDEM_MAX_DOCUMENT_BYTES',
    default: String(16 * MIB),
    description:
      "Size of a room's document (all its files, chat and history of deletions, encoded) past which new content is refused with document_too_large; deleting still works.",
    parse: integer(64 * 1024, 4096 * MIB),
  },
  {
    key: 'maxTypeDepth',
    env: 'TANDEM_MAX_TYPE_DEPTH',
    default: '32',
    description:
      "Deepest nesting of shared types (maps in maps) an update may create; deeper ones close the sender with 4422. Tandem's own schema uses 2. Past a few thousand, deleting such a chain overflows Yjs's stack: the relay then reloads the room from its log and nothing is lost, but everyone reconnects.",
    parse: integer(2, 1_000_000),
  },
  {
    key: 'roomsPerMinute',
    env: 'TANDEM_ROOMS_PER_MINUTE',
    default: '30',
    description:
      'Rooms (new, forks) one client address may create per minute, in bursts of up to that many; more get 429 rate_limited. Behind a proxy every client shares its address. 0: no limit.',
    parse: integer(0, 1_000_000),
  },
  {
    key: 'joinsPerMinute',
    env: 'TANDEM_JOINS_PER_MINUTE',
    default: '300',
    description:
      'Room sockets (joins, reconnects) one client address may open per minute, in bursts of up to that many; more are refused with 429 before the upgrade. Behind a proxy every client shares its address. 0: no limit.',
    parse: integer(0, 1_000_000),
  },
  {
    key: 'sendBufferMaxBytes',
    env: 'TANDEM_SEND_BUFFER_MAX_BYTES',
    default: String(16 * MIB),
    description: 'Bytes queued for one slow reader before it is dropped (4530).',
    parse: integer(64 * 1024, 1024 * MIB),
  },
  {
    key: 'closeGraceMs',
    env: 'TANDEM_CLOSE_GRACE_MS',
    default: '2000',
    description:
      'How long a socket the relay closes (a slow reader, a refused update) has to read what is queued and the close itself before it is cut.',
    parse: integer(0, 600_000),
  },
  {
    key: 'pingIntervalMs',
    env: 'TANDEM_PING_INTERVAL_MS',
    default: '30000',
    description: 'WebSocket ping interval; a socket with no pong by the next ping is dropped.',
    parse: integer(100, 3_600_000),
  },
  {
    key: 'roomIdleUnloadMs',
    env: 'TANDEM_ROOM_IDLE_UNLOAD_MS',
    default: '30000',
    description: 'How long a room with no connections stays in memory.',
    parse: integer(0, 86_400_000),
  },
  {
    key: 'tokenTtlSeconds',
    env: 'TANDEM_TOKEN_TTL_SECONDS',
    default: String(30 * 86_400),
    description:
      'Lifetime of tokens issued by the relay (owner, links, join), unless a request asks for less.',
    parse: integer(60, 10 * 365 * 86_400),
  },
  {
    key: 'compactAfterUpdates',
    env: 'TANDEM_COMPACT_AFTER_UPDATES',
    default: '1000',
    description: 'Log entries after the last snapshot that trigger a background snapshot.',
    parse: integer(10, 10_000_000),
  },
  logLevelOption<RelayConfig>(),
  {
    key: 'runnerToken',
    env: 'TANDEM_RUNNER_TOKEN',
    default: '',
    description:
      'Secret runners present to connect. Empty: generated into the data directory (runner-token) on first start.',
    parse: optionalSecret,
  },
  {
    key: 'previewPort',
    env: 'TANDEM_PREVIEW_PORT',
    default: '8081',
    description:
      'Port of the preview listener (on HOST): apps running in workspaces, each on an origin of its own, never the editor’s. 0: any free port.',
    parse: integer(0, 65535),
  },
  {
    key: 'previewUrl',
    env: 'TANDEM_PREVIEW_URL',
    default: '',
    description:
      'Where browsers reach previews, with {id} in the host, e.g. https://{id}.preview.example.com (a wildcard DNS name and certificate, proxied to TANDEM_PREVIEW_PORT). Empty: http://{id}.localhost:<preview port>.',
    parse: (raw) => {
      if (raw === '') return null;
      if (!/^https?:\/\/[^/]*\{id\}[^/]*\/?$/.test(raw))
        throw new ConfigError(
          'must be an http(s) origin with {id} in its host, e.g. https://{id}.preview.example.com',
        );
      return raw.replace(/\/$/, '');
    },
  },
  {
    key: 'previewBodyMaxBytes',
    env: 'TANDEM_PREVIEW_BODY_MAX_BYTES',
    default: String(32 * MIB),
    description: 'Largest request body a browser may send to a preview (an upload); larger ones get 413.',
    parse: integer(1024, 1024 * MIB),
  },
  {
    key: 'previewAnswerTimeoutMs',
    env: 'TANDEM_PREVIEW_ANSWER_TIMEOUT_MS',
    default: '60000',
    description:
      'A preview request whose app has not begun to answer in this long gets a 504 page (a dev server that hangs); answers that have begun may stream for as long as they like.',
    parse: integer(1000, 3_600_000),
  },
  {
    key: 'devServerMaxMs',
    env: 'TANDEM_DEV_SERVER_MAX_MS',
    default: String(4 * 3_600_000),
    description:
      'A dev server runs at most this long (it also ends with its workspace); starting it again restarts the clock.',
    parse: integer(10_000, 30 * 86_400_000),
  },
  {
    key: 'workspaceIdleMs',
    env: 'TANDEM_WORKSPACE_IDLE_MS',
    default: '600000',
    description:
      'A live workspace stops once nobody has been in its room this long (its files stay in the room).',
    parse: integer(1000, 7 * 86_400_000),
  },
  {
    key: 'workspaceMaxMs',
    env: 'TANDEM_WORKSPACE_MAX_MS',
    default: String(8 * 3_600_000),
    description:
      'A live workspace stops after this long in all, however busy; opening it again starts a fresh one.',
    parse: integer(10_000, 30 * 86_400_000),
  },
  {
    key: 'workspaceMemoryBytes',
    env: 'TANDEM_WORKSPACE_MEMORY_BYTES',
    default: String(1024 * MIB),
    description: 'Memory of one workspace, its writable files included (tmpfs); no extra swap.',
    parse: integer(64 * MIB, 64 * 1024 * MIB),
  },
  {
    key: 'workspaceDiskBytes',
    env: 'TANDEM_WORKSPACE_DISK_BYTES',
    default: String(1024 * MIB),
    description: 'Writable space of one workspace (/work and /tmp, each).',
    parse: integer(MIB, 64 * 1024 * MIB),
  },
  {
    key: 'workspaceCpuMillis',
    env: 'TANDEM_WORKSPACE_CPU_MILLIS',
    default: '1000',
    description: 'CPU share of one workspace, in thousandths of a core.',
    parse: integer(100, 64_000),
  },
  {
    key: 'workspacePids',
    env: 'TANDEM_WORKSPACE_PIDS',
    default: '512',
    description: 'Processes and threads one workspace may have.',
    parse: integer(16, 100_000),
  },
  {
    key: 'workspaceFileMaxBytes',
    env: 'TANDEM_WORKSPACE_FILE_MAX_BYTES',
    default: String(MIB),
    description:
      'Files a workspace makes that are larger stay in it, with a notice, instead of coming into the room.',
    parse: integer(1024, 64 * MIB),
  },
  {
    key: 'workspaceFilesMax',
    env: 'TANDEM_WORKSPACE_FILES_MAX',
    default: '2000',
    description: 'Files a room may hold before new files a workspace makes stay in it, with a notice.',
    parse: integer(1, 1_000_000),
  },
  {
    key: 'runTimeoutMs',
    env: 'TANDEM_RUN_TIMEOUT_MS',
    default: '10000',
    description: 'Wall-clock limit of one run.',
    parse: integer(100, 3_600_000),
  },
  {
    key: 'terminalTimeoutMs',
    env: 'TANDEM_TERMINAL_TIMEOUT_MS',
    default: '600000',
    description: 'Wall-clock limit of one interactive terminal (shared REPL) session.',
    parse: integer(1000, 86_400_000),
  },
  {
    key: 'runMemoryBytes',
    env: 'TANDEM_RUN_MEMORY_BYTES',
    default: String(256 * MIB),
    description: 'Memory of one run (swap is the same: none extra).',
    parse: integer(16 * MIB, 64 * 1024 * MIB),
  },
  {
    key: 'runPids',
    env: 'TANDEM_RUN_PIDS',
    default: '128',
    description: 'Processes and threads one run may have.',
    parse: integer(8, 100_000),
  },
  {
    key: 'runCpuMillis',
    env: 'TANDEM_RUN_CPU_MILLIS',
    default: '1000',
    description: 'CPU share of one run, in thousandths of a core.',
    parse: integer(100, 64_000),
  },
  {
    key: 'runOutputBytes',
    env: 'TANDEM_RUN_OUTPUT_BYTES',
    default: String(MIB),
    description: 'Output one run may print before it is stopped (output-limit).',
    parse: integer(1024, 1024 * MIB),
  },
  {
    key: 'runDiskBytes',
    env: 'TANDEM_RUN_DISK_BYTES',
    default: String(64 * MIB),
    description: 'Writable space of one run (work directory and /tmp).',
    parse: integer(MIB, 64 * 1024 * MIB),
  },
  {
    key: 'runQueuePerRoom',
    env: 'TANDEM_RUN_QUEUE_PER_ROOM',
    default: '4',
    description: 'Runs of one room that may wait for a runner; more are refused.',
    parse: integer(0, 1000),
  },
  {
    key: 'runnerStartupWaitMs',
    env: 'TANDEM_RUNNER_STARTUP_WAIT_MS',
    default: '30000',
    description:
      'For this long after the relay starts, a run in a language no runner serves yet waits for one (a runner still connecting or checking its images) instead of failing at once.',
    parse: integer(0, 600_000),
  },
  {
    key: 'runActivePerRoom',
    env: 'TANDEM_RUN_ACTIVE_PER_ROOM',
    default: '2',
    description:
      'Runs and terminals of one room that may hold runner slots at once; its others wait while other rooms take their turn.',
    parse: integer(1, 1000),
  },
  {
    key: 'runSnapshotMaxBytes',
    env: 'TANDEM_RUN_SNAPSHOT_MAX_BYTES',
    default: String(8 * MIB),
    description: 'Largest project (sum of file sizes) a run accepts.',
    parse: integer(1024, 1024 * MIB),
  },
  {
    key: 'runStoredOutputBytes',
    env: 'TANDEM_RUN_STORED_OUTPUT_BYTES',
    default: String(256 * 1024),
    description: 'Output kept with each stored run for history.',
    parse: integer(0, 1024 * MIB),
  },
  {
    key: 'iceUrls',
    env: 'TANDEM_ICE_URLS',
    default: '',
    description:
      'Comma-separated STUN/TURN URLs for WebRTC (e.g. stun:stun.example.com:3478,turn:turn.example.com:3478). Empty: direct connections only (fine on one network).',
    parse: iceUrls,
  },
  {
    key: 'turnSecret',
    env: 'TANDEM_TURN_SECRET',
    default: '',
    description:
      "coturn's static-auth-secret: the relay hands each client short-lived TURN credentials made from it, never the secret.",
    parse: optionalSecret,
  },
  {
    key: 'turnTtlSeconds',
    env: 'TANDEM_TURN_TTL_SECONDS',
    default: '3600',
    description: 'Lifetime of the TURN credentials handed to a client.',
    parse: integer(60, 86_400),
  },
  {
    key: 'iceRelayOnly',
    env: 'TANDEM_ICE_RELAY_ONLY',
    default: 'false',
    description: "true: media only through TURN, so users never learn each other's network addresses.",
    parse: flag,
  },
];

/** Reads every option from `env`; throws one ConfigError naming every bad variable. */
/** Empty: null; else a URL with one of `schemes` (kept as written: it may hold a password). */
function optionalUrl(schemes: readonly string[]): (raw: string) => string | null {
  const why = `expected a ${schemes[0]}// URL`;
  return (raw) => {
    if (raw === '') return null;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(why);
    }
    if (!schemes.includes(url.protocol)) throw new ConfigError(why);
    return raw;
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const config = loadOptions(OPTIONS, env);
  if (config.redisUrl && !config.databaseUrl) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_URL needs DATABASE_URL: relays that share rooms must share their storage',
    );
  }
  return config;
}
