/**
 * Wires the relay together: storage, rooms, tokens, the HTTP API, the static
 * client, WebSocket upgrades and the heartbeat. `startRelay` returns once the
 * server listens; `close` stores everything and releases the port.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import { CloseCode } from '../shared/protocol/closeCodes.js';
import { TokenSigner } from './auth/tokens.js';
import type { RelayConfig } from './config.js';
import { createApi } from './http/api.js';
import { rateLimit } from './http/rateLimit.js';
import { bodyCap } from './http/requests.js';
import { roomAccess } from './http/roomAccess.js';
import { createRoomAdminApi } from './http/roomAdmin.js';
import { errorHandler } from './http/errors.js';
import { createHistoryApi } from './http/historyApi.js';
import { createShortLinksApi } from './http/shortLinks.js';
import { createUpgradeHandler } from './http/upgrade.js';
import type { Logger } from '../server/log.js';
import { requestLog } from './http/requestLog.js';
import { jsonOnly } from './http/validate.js';
import type { Connection } from './rooms/Connection.js';
import type { RelayStats } from './socket/context.js';
import { RoomManager } from './rooms/RoomManager.js';
import { readOrCreateSecret } from './auth/secretFile.js';
import { createRunsApi } from './http/runsApi.js';
import { EnvCrypto } from './runs/envCrypto.js';
import { RunnerHub } from './runs/RunnerHub.js';
import { RunService } from './runs/RunService.js';
import { Workspaces } from './workspaces/Workspaces.js';
import { PreviewKeys, PreviewOrigins } from './previews/previewAccess.js';
import { originCheck } from './http/origins.js';
import { AddressLimiter } from './http/rateLimit.js';
import { RelayMetrics } from './metrics.js';
import { metricsRoute } from './http/metricsRoute.js';
import { editorSecurityHeaders } from './http/securityHeaders.js';
import { PreviewServer } from './previews/PreviewServer.js';
import { previewHeaders } from './previews/previewHeaders.js';
import { createPreviewsApi } from './http/previewsApi.js';
import { RedisRoomBus } from './cluster/RoomBus.js';
import { RunRouter } from './cluster/RunRouter.js';
import { PostgresStorage } from './storage/PostgresStorage.js';
import { SqliteStorage } from './storage/SqliteStorage.js';
import type { Storage } from './storage/Storage.js';
import { warmUpYjs } from './sync/warmup.js';

const DATABASE_FILE = 'tandem.sqlite';
const RUNNER_TOKEN_FILE = 'runner-token';
const RUNNER_TOKEN_BYTES = 32;
const PREVIEW_SECRET_FILE = 'preview-secret';
const PREVIEW_SECRET_BYTES = 32;
/** Time open HTTP requests get to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 2_000;
/** What one room may hold of updates that wait for changes it has not received (see HeldUpdates). */
const HELD_MAX_BYTES = 1024 * 1024;
const HELD_MAX_ITEMS = 10_000;

export interface RunningRelay {
  port: number;
  previewPort: number;
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig, log: Logger): Promise<RunningRelay> {
  const warmStartedMs = performance.now();
  warmUpYjs();
  log.debug('relay.warmed_up', { ms: Math.round(performance.now() - warmStartedMs) });
  const bus = config.redisUrl ? await RedisRoomBus.connect(config.redisUrl, log) : null;
  const storage: Storage = config.databaseUrl
    ? await PostgresStorage.open(config.databaseUrl)
    : await SqliteStorage.open(join(config.dataDir, DATABASE_FILE));
  const signer = TokenSigner.fromDataDir(config.dataDir);
  // The gauges read these when scraped; they exist by then.
  const metrics = new RelayMetrics({
    roomsLoaded: () => rooms.loadedCount,
    connections: () => rooms.connectionCount,
    runQueue: () => hub.queueLength,
    runners: () => hub.runnerCount,
    workspaces: () => workspaces.running,
    previews: () => workspaces.previewCount,
  });
  const rooms = new RoomManager({
    storage,
    log,
    roomIdleUnloadMs: config.roomIdleUnloadMs,
    compactAfterUpdates: config.compactAfterUpdates,
    limits: {
      typeDepthMax: config.maxTypeDepth,
      maxDocumentBytes: config.maxDocumentBytes,
      heldMaxBytes: HELD_MAX_BYTES,
      heldMaxItems: HELD_MAX_ITEMS,
    },
    onStored: (seconds) => metrics.stored(seconds),
    ...(bus && { bus }),
    sharedStorage: config.databaseUrl !== null,
  });

  const crypto = EnvCrypto.fromDataDir(config.dataDir);
  const runnerToken =
    config.runnerToken ??
    readOrCreateSecret(config.dataDir, RUNNER_TOKEN_FILE, RUNNER_TOKEN_BYTES).toString('base64');
  const hub = new RunnerHub(log, { startupWaitMs: config.runnerStartupWaitMs });
  // Sharing rooms, runs go to any relay's runners (the environment is opened where it runs).
  const router: RunRouter | null = bus
    ? new RunRouter(hub, bus, (roomId): Promise<Record<string, string>> => runs.openEnv(roomId), log)
    : null;
  const runs: RunService = new RunService(
    router ?? hub,
    storage,
    crypto,
    {
      limits: {
        timeoutMs: config.runTimeoutMs,
        memoryBytes: config.runMemoryBytes,
        pids: config.runPids,
        cpuMillis: config.runCpuMillis,
        outputBytes: config.runOutputBytes,
        diskBytes: config.runDiskBytes,
      },
      terminalTimeoutMs: config.terminalTimeoutMs,
      queueMaxPerRoom: config.runQueuePerRoom,
      activeMaxPerRoom: config.runActivePerRoom,
      snapshotMaxBytes: config.runSnapshotMaxBytes,
      storedOutputBytes: config.runStoredOutputBytes,
    },
    log,
    (language, reason, durationMs) => metrics.runEnded(language, reason, durationMs),
  );

  // Previews listen on a port of their own; their origin names it (port 0 in tests).
  const previewListener = await PreviewServer.listen(config.host, config.previewPort).catch(async (error) => {
    await storage.close();
    throw error;
  });
  const previews = {
    keys: new PreviewKeys(readOrCreateSecret(config.dataDir, PREVIEW_SECRET_FILE, PREVIEW_SECRET_BYTES)),
    origins: new PreviewOrigins(config.previewUrl ?? `http://{id}.localhost:${previewListener.port}`),
  };
  const workspaces = new Workspaces(
    {
      devServerMaxMs: config.devServerMaxMs,
      previews,
      idleMs: config.workspaceIdleMs,
      maxMs: config.workspaceMaxMs,
      limits: {
        memoryBytes: config.workspaceMemoryBytes,
        diskBytes: config.workspaceDiskBytes,
        cpuMillis: config.workspaceCpuMillis,
        pids: config.workspacePids,
        fileMaxBytes: config.workspaceFileMaxBytes,
      },
      filesMax: config.workspaceFilesMax,
    },
    log,
    (room) => rooms.releaseIfIdle(room),
  );
  // The editor's port, once it listens (port 0 in tests); the preview origin names it.
  let editorPort = config.port;
  previewListener.serve({
    ...previews,
    workspaces,
    bodyMaxBytes: config.previewBodyMaxBytes,
    answerTimeoutMs: config.previewAnswerTimeoutMs,
    headers: previewHeaders({
      publicUrl: config.publicUrl,
      allowedOrigins: config.allowedOrigins,
      editorPort: () => editorPort,
    }),
    log,
  });

  const stats: RelayStats = { droppedSignals: 0 };
  const app = new Hono();
  app.onError(errorHandler(log));
  app.use(...requestLog(log));
  app.use(editorSecurityHeaders(config.clientDir, previews.origins));
  const deps = {
    config,
    storage,
    rooms,
    signer,
    log,
    stats,
    ...(bus &&
      router && {
        cluster: () => ({
          redis: bus.connected ? ('up' as const) : ('down' as const),
          runsAway: router.counts.away,
          runsHosted: router.counts.hosted,
        }),
      }),
  };
  // Pages of another site may not change anything (nor open sockets: upgrade.ts).
  app.use('/api/*', originCheck(config), bodyCap(), jsonOnly());
  // Every route of a room: the token, and the right the route needs (one table, roomAccess.ts).
  const gate = roomAccess(signer, rooms, storage);
  app.use('/api/rooms/:roomId', gate);
  app.use('/api/rooms/:roomId/*', gate);
  app.on(
    'POST',
    ['/api/rooms', '/api/rooms/:roomId/fork', '/api/rooms/:roomId/history/fork'],
    rateLimit(
      config.roomsPerMinute,
      'new rooms',
      bus ? (key, windowSeconds) => bus.countInWindow(key, windowSeconds) : undefined,
    ),
  );
  app.route('/', createRoomAdminApi(deps));
  app.route('/', createRunsApi({ ...deps, runs, hub, crypto, workspaces }));
  app.route('/', createPreviewsApi({ workspaces, previews }));
  app.route('/', createHistoryApi(deps));
  app.route('/', createShortLinksApi(deps));
  app.route('/', createApi(deps));
  app.route('/', metricsRoute(metrics, config.metricsToken));
  if (existsSync(join(config.clientDir, 'index.html'))) {
    app.use('/*', serveStatic({ root: config.clientDir }));
    // Room, history and replay-file pages are client-side routes.
    app.get('/r/*', serveStatic({ path: join(config.clientDir, 'index.html') }));
    app.get('/replay', serveStatic({ path: join(config.clientDir, 'index.html') }));
  } else {
    log.warn('client.missing', { clientDir: config.clientDir, hint: 'run npm run build' });
    app.get('/', (c) => c.text('Tandem relay is running; the client is not built (npm run build).'));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  const connections = new Set<Connection>();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    );
    s.once('error', (error: NodeJS.ErrnoException) => {
      void storage.close();
      void previewListener.close();
      reject(new Error(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`));
    });
  });
  editorPort = (server.address() as AddressInfo).port;
  server.on(
    'upgrade',
    createUpgradeHandler({
      config,
      rooms,
      storage,
      signer,
      wss,
      log,
      connections,
      perAddress: new Map(),
      context: { runs, workspaces, stats, metrics, log },
      hub,
      workspaces,
      runnerToken,
      joins: new AddressLimiter(config.joinsPerMinute, 'room sockets'),
    }),
  );

  // A socket that missed a whole interval without answering a ping is gone.
  const heartbeat = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.close(CloseCode.PongTimeout);
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, config.pingIntervalMs);
  heartbeat.unref();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      await workspaces.closeAll();
      await previewListener.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await rooms.closeAll();
      for (const conn of connections) conn.ws.terminate();
      wss.close();
      await router?.close();
      await bus?.close();
      await storage.close();
      server.closeIdleConnections();
      await stopped;
    })());

  return { port: (server.address() as AddressInfo).port, previewPort: previewListener.port, close };
}
